package io.srproxy.rtm;

import io.srproxy.auth.LoginPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.ManualTimers;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service-side rules that a well-behaved client never exercises: callers and callees that do not
 * acknowledge, requests crossing in a known order, silent remote links, the login policy hook.
 */
class RtmServiceTest {

    private static final String APP = "svc-app";
    private ManualTimers timers;
    private RtmService service;

    @BeforeEach
    void start() {
        timers = new ManualTimers();
        service = new RtmService(APP, LoginPolicy.appIdOnly(APP), timers, RtmTimeouts.DEFAULTS);
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private RawSession raw(String uid, boolean remote) {
        RawSession r = new RawSession();
        r.conn = service.connect(r, remote, "raw");
        if (uid != null) {
            RtmScenarios.join(service.request(r.conn, new RtmRequest.Login(APP, uid, null)));
        }
        return r;
    }

    private RecordingListener client(String uid) {
        RecordingListener seen = new RecordingListener();
        RtmClient c = service.createClient(seen);
        RtmScenarios.join(c.login(uid, null));
        return seen;
    }

    private RtmError errorOf(CompletableFuture<?> f) {
        return RtmScenarios.errorOf(f);
    }

    @Test
    void everyInvitationEndsWithOneCountedOutcome() {
        InvitationOutcomes outcomes = service.invitationOutcomes();
        RecordingListener alice = new RecordingListener();
        RtmClient a = service.createClient(alice);
        RtmScenarios.join(a.login("alice", null));
        RecordingListener bob = client("bob");

        a.createLocalInvitation("bob").send();
        bob.awaitRemote(1).accept();
        await().until(() -> alice.events.stream().anyMatch(e -> e.startsWith("local accepted")));
        a.createLocalInvitation("bob").send();
        bob.awaitRemote(2).refuse();
        await().until(() -> alice.events.stream().anyMatch(e -> e.startsWith("local refused")));
        LocalInvitation canceled = a.createLocalInvitation("bob");
        canceled.send();
        bob.awaitRemote(3);
        canceled.cancel();
        alice.awaitEvent("local canceled");
        a.createLocalInvitation("nobody").send();
        await().until(() -> service.liveInvitations().join() == 1);
        timers.advance(Duration.ofSeconds(30));
        alice.awaitEvent("local failure PEER_OFFLINE");

        await().untilAsserted(() -> {
            assertThat(outcomes.count(InvitationOutcomes.Outcome.ACCEPTED)).isEqualTo(1);
            assertThat(outcomes.count(InvitationOutcomes.Outcome.REFUSED)).isEqualTo(1);
            assertThat(outcomes.count(InvitationOutcomes.Outcome.CANCELED)).isEqualTo(1);
            assertThat(outcomes.count(InvitationOutcomes.Outcome.FAILURE)).isEqualTo(1);
            assertThat(outcomes.failures(LocalInvitationFailureReason.PEER_OFFLINE)).isEqualTo(1);
            assertThat(outcomes.failures(LocalInvitationFailureReason.PEER_NO_RESPONSE)).isZero();
        });
    }

    @Test
    void calleeThatNeverAcknowledgesGivesPeerNoResponseAfter30s() {
        RecordingListener alice = new RecordingListener();
        RtmClient a = service.createClient(alice);
        RtmScenarios.join(a.login("alice", null));
        RawSession bob = raw("bob", false);
        LocalInvitation inv = a.createLocalInvitation("bob");
        inv.send();
        RtmEvent.RemoteInvitationReceived got = bob.await(RtmEvent.RemoteInvitationReceived.class);
        timers.advance(Duration.ofSeconds(29));
        assertThat(RtmScenarios.join(service.liveInvitations())).isEqualTo(1);
        timers.advance(Duration.ofSeconds(1));
        alice.awaitEvent("local failure PEER_NO_RESPONSE");
        assertThat(bob.await(RtmEvent.RemoteInvitationFailure.class).reason())
                .isEqualTo(RemoteInvitationFailureReason.INVITATION_EXPIRE);
        assertThat(errorOf(service.request(bob.conn, new RtmRequest.AckInvitation(got.invitationId()))))
                .isEqualTo(RtmError.ALREADY_END);
        assertThat(inv.state()).isEqualTo(LocalInvitationState.FAILURE);
    }

    @Test
    void callerThatNeverAcknowledgesTheAcceptGivesAcceptFailure() {
        RawSession alice = raw("alice", false);
        RecordingListener bob = new RecordingListener();
        RtmClient b = service.createClient(bob);
        RtmScenarios.join(b.login("bob", null));
        RtmScenarios.join(service.request(alice.conn, new RtmRequest.Invite("inv-1", "bob", "{}", "chan")));
        RemoteInvitation r = bob.awaitRemote(1);
        alice.await(RtmEvent.LocalInvitationReceivedByPeer.class);
        r.accept();
        alice.await(RtmEvent.LocalInvitationAccepted.class);
        assertThat(r.state()).isEqualTo(RemoteInvitationState.ACCEPT_SENT_TO_LOCAL);
        timers.advance(Duration.ofSeconds(30));
        bob.awaitEvent("remote failure ACCEPT_FAILURE");
        assertThat(r.state()).isEqualTo(RemoteInvitationState.FAILURE);
        assertThat(alice.await(RtmEvent.LocalInvitationFailure.class).reason())
                .isEqualTo(LocalInvitationFailureReason.PEER_NO_RESPONSE);
    }

    @Test
    void acceptBeforeCancelWinsAndTheCancelIsRefused() {
        RawSession alice = raw("alice", false);
        RawSession bob = raw("bob", false);
        RtmScenarios.join(service.request(alice.conn, new RtmRequest.Invite("x", "bob", "", "")));
        bob.await(RtmEvent.RemoteInvitationReceived.class);
        CompletableFuture<RtmReply> accept = service.request(bob.conn, new RtmRequest.AcceptInvitation("x", "yes"));
        CompletableFuture<RtmReply> cancel = service.request(alice.conn, new RtmRequest.CancelInvitation("x"));
        RtmScenarios.join(accept);
        assertThat(errorOf(cancel)).isEqualTo(RtmError.ALREADY_ACCEPT);
        assertThat(alice.await(RtmEvent.LocalInvitationAccepted.class).response()).isEqualTo("yes");
        RtmScenarios.join(service.request(alice.conn, new RtmRequest.AckAccept("x")));
        bob.await(RtmEvent.RemoteInvitationAccepted.class);
        assertThat(bob.events).noneMatch(e -> e instanceof RtmEvent.RemoteInvitationCanceled);
    }

    @Test
    void cancelBeforeAcceptWinsAndTheAcceptIsRefused() {
        RawSession alice = raw("alice", false);
        RawSession bob = raw("bob", false);
        RtmScenarios.join(service.request(alice.conn, new RtmRequest.Invite("x", "bob", "", "")));
        bob.await(RtmEvent.RemoteInvitationReceived.class);
        CompletableFuture<RtmReply> cancel = service.request(alice.conn, new RtmRequest.CancelInvitation("x"));
        CompletableFuture<RtmReply> accept = service.request(bob.conn, new RtmRequest.AcceptInvitation("x", "yes"));
        RtmScenarios.join(cancel);
        assertThat(errorOf(accept)).isEqualTo(RtmError.ALREADY_END);
        alice.await(RtmEvent.LocalInvitationCanceled.class);
        bob.await(RtmEvent.RemoteInvitationCanceled.class);
        assertThat(alice.events).noneMatch(e -> e instanceof RtmEvent.LocalInvitationAccepted);
    }

    @Test
    void onlyTheRightPartyMayActOnAnInvitation() {
        RawSession alice = raw("alice", false);
        RawSession bob = raw("bob", false);
        RawSession eve = raw("eve", false);
        RtmScenarios.join(service.request(alice.conn, new RtmRequest.Invite("x", "bob", "", "")));
        bob.await(RtmEvent.RemoteInvitationReceived.class);
        assertThat(errorOf(service.request(bob.conn, new RtmRequest.CancelInvitation("x")))).isEqualTo(RtmError.NOT_ALLOWED);
        assertThat(errorOf(service.request(eve.conn, new RtmRequest.AcceptInvitation("x", null)))).isEqualTo(RtmError.NOT_ALLOWED);
        assertThat(errorOf(service.request(alice.conn, new RtmRequest.RefuseInvitation("x", null)))).isEqualTo(RtmError.NOT_ALLOWED);
        assertThat(errorOf(service.request(alice.conn, new RtmRequest.Invite("x", "eve", "", "")))).isEqualTo(RtmError.ALREADY_SENT);
        assertThat(errorOf(service.request(alice.conn, new RtmRequest.Invite("y", "bob", "", "c".repeat(65)))))
                .isEqualTo(RtmError.INVALID_ARGUMENT);
        assertThat(errorOf(service.request(alice.conn, new RtmRequest.Invite("", "bob", "", ""))))
                .isEqualTo(RtmError.INVALID_ARGUMENT);
    }

    @Test
    void aSilentRemoteClientIsLoggedOutWithin30sButAnInProcessOneNever() {
        RecordingListener watcher = client("watcher");
        RawSession ws = raw("phone", true);
        RawSession neverLoggedIn = raw(null, true);
        RtmScenarios.join(service.request(service.connect(new RawSession(), false, "w"), new RtmRequest.Ping()));
        RtmScenarios.join(service.request(ws.conn, new RtmRequest.SubscribePeersOnlineStatus(List.of("watcher"))));
        timers.advance(Duration.ofSeconds(20));
        RtmScenarios.join(service.request(ws.conn, new RtmRequest.Ping()));
        timers.advance(Duration.ofSeconds(20));
        assertThat(RtmScenarios.join(service.request(ws.conn, new RtmRequest.QueryPeersOnlineStatus(List.of("phone")))))
                .isEqualTo(new RtmReply.PeersOnline(java.util.Map.of("phone", true)));
        await().untilAsserted(() -> {
            timers.advance(Duration.ofSeconds(5));
            assertThat(ws.closedWith).isEqualTo(ConnectionChangeReason.INTERRUPTED);
        });
        assertThat(ws.await(RtmEvent.SessionEnded.class).reason()).isEqualTo(ConnectionChangeReason.INTERRUPTED);
        assertThat(neverLoggedIn.closedWith).isEqualTo(ConnectionChangeReason.INTERRUPTED);
        RecordingListener other = client("other");
        timers.advance(Duration.ofMinutes(10));
        RawSession probe = raw("probe", false);
        assertThat(RtmScenarios.join(service.request(probe.conn,
                new RtmRequest.QueryPeersOnlineStatus(List.of("watcher", "phone", "other")))))
                .isEqualTo(new RtmReply.PeersOnline(java.util.Map.of("watcher", true, "phone", false, "other", true)));
        assertThat(watcher.events).doesNotContain("state ABORTED INTERRUPTED");
        assertThat(other.events).doesNotContain("state ABORTED INTERRUPTED");
    }

    @Test
    void aSilentRemoteMemberLeavesItsChannelsWithinTheKeepaliveWindow() {
        RecordingListener stays = client("stays");
        RawSession phone = raw("phone", true);
        RtmScenarios.join(service.request(phone.conn, new RtmRequest.JoinChannel("room")));
        RtmScenarios.join(service.request(phone.conn, new RtmRequest.JoinChannel("lobby")));
        RawSession inProcess = raw("desk", false);
        RtmScenarios.join(service.request(inProcess.conn, new RtmRequest.JoinChannel("room")));
        RtmScenarios.join(service.request(inProcess.conn, new RtmRequest.JoinChannel("lobby")));
        timers.advance(Duration.ofSeconds(20));
        assertThat(RtmScenarios.join(service.request(inProcess.conn, new RtmRequest.GetChannelMembers("room"))))
                .isEqualTo(new RtmReply.ChannelMembers(List.of("phone", "desk")));
        await().untilAsserted(() -> {
            timers.advance(Duration.ofSeconds(5));
            assertThat(phone.closedWith).isEqualTo(ConnectionChangeReason.INTERRUPTED);
        });
        assertThat(inProcess.events).contains(new RtmEvent.MemberLeft("room", "phone"), new RtmEvent.MemberLeft("lobby", "phone"));
        await().untilAsserted(() -> assertThat(inProcess.events)
                .contains(new RtmEvent.MemberCountUpdated("room", 1), new RtmEvent.MemberCountUpdated("lobby", 1)));
        assertThat(RtmScenarios.join(service.request(inProcess.conn, new RtmRequest.GetChannelMembers("lobby"))))
                .isEqualTo(new RtmReply.ChannelMembers(List.of("desk")));
        assertThat(stays.events).noneMatch(e -> e.startsWith("channel"));
    }

    @Test
    void theLoginPolicyIsWhereTokensWillBeChecked() {
        service.close();
        service = new RtmService(APP, attempt -> {
            if (!"good".equals(attempt.token())) {
                throw new RtmException(RtmError.TOKEN_REJECTED, "token does not match uid " + attempt.uid());
            }
        }, timers, RtmTimeouts.DEFAULTS);
        RawSession r = raw(null, false);
        assertThat(errorOf(service.request(r.conn, new RtmRequest.Login(APP, "alice", "bad")))).isEqualTo(RtmError.TOKEN_REJECTED);
        RtmScenarios.join(service.request(r.conn, new RtmRequest.Login(APP, "alice", "good")));
    }

    @Test
    void remoteClientsMayNotTakeTheGatewaysUids() {
        service.close();
        service = new RtmService(APP, LoginPolicy.forApp(APP, java.util.Set.of("1086", "1005")), timers, RtmTimeouts.DEFAULTS);
        RawSession remote = raw(null, true);
        RtmException refused = (RtmException) org.assertj.core.api.Assertions.catchThrowable(
                () -> RtmScenarios.join(service.request(remote.conn, new RtmRequest.Login(APP, "1086", null))));
        assertThat(refused.error()).isEqualTo(RtmError.NOT_ALLOWED);
        assertThat(refused.detail()).contains("'1086' is reserved");
        RtmScenarios.join(service.request(remote.conn, new RtmRequest.Login(APP, "1001", null)));
        RawSession gateway = raw(null, false);
        RtmScenarios.join(service.request(gateway.conn, new RtmRequest.Login(APP, "1086", null)));
        RawSession impostor = raw(null, true);
        RtmException perCall = (RtmException) org.assertj.core.api.Assertions.catchThrowable(
                () -> RtmScenarios.join(service.request(impostor.conn, new RtmRequest.Login(APP, "sip~abc", null))));
        assertThat(perCall.error()).isEqualTo(RtmError.NOT_ALLOWED);
        assertThat(perCall.detail()).contains("per-call identities");
        RawSession perCallIdentity = raw(null, false);
        RtmScenarios.join(service.request(perCallIdentity.conn, new RtmRequest.Login(APP, "sip~abc", null)));
    }

    @Test
    void presenceRequestsNeedOneToMaxPeers() {
        RawSession a = raw("alice", false);
        assertThat(errorOf(service.request(a.conn, new RtmRequest.QueryPeersOnlineStatus(List.of()))))
                .isEqualTo(RtmError.INVALID_ARGUMENT);
        List<String> many = Collections.nCopies(RtmLimits.MAX_PEERS_PER_REQUEST + 1, "p");
        assertThat(errorOf(service.request(a.conn, new RtmRequest.SubscribePeersOnlineStatus(many))))
                .isEqualTo(RtmError.INVALID_ARGUMENT);
        assertThat(errorOf(service.request(a.conn, new RtmRequest.QueryPeersOnlineStatus(List.of("ok", "not ok")))))
                .isEqualTo(RtmError.INVALID_ARGUMENT);
    }

    @Test
    void aClosedServiceAnswersInternal() {
        RawSession a = raw("alice", false);
        service.close();
        assertThat(errorOf(service.request(a.conn, new RtmRequest.Ping()))).isEqualTo(RtmError.INTERNAL);
    }
}
