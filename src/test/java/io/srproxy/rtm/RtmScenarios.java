package io.srproxy.rtm;

import io.srproxy.auth.LoginPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.ManualTimers;
import java.time.Duration;
import org.awaitility.Awaitility;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RTM contract as apps see it, run over every {@link RtmClient} implementation: subclasses
 * say how a client reaches the service. Timeouts run on a {@link ManualTimers} clock.
 */
public abstract class RtmScenarios {

    protected static final String APP = "scenario-app";
    protected static final Duration S30 = Duration.ofSeconds(30);
    /** Small channel limits, so both are reached with a few clients. */
    protected static final ChannelLimits CHANNEL_LIMITS = new ChannelLimits(4, 3);

    protected ManualTimers timers;
    protected RtmService service;
    protected RtmTimeouts timeouts;
    private final List<RtmClient> clients = new ArrayList<>();

    /** A new client of {@link #service} logging in with {@code appId}. */
    protected abstract RtmClient newClient(String appId, RtmListener listener);

    protected void startTransport() throws Exception {}

    /** What {@link #service} knows of other nodes: none, unless a subclass runs the suite across a cluster. */
    protected RtmDirectory directory() throws Exception {
        return RtmDirectory.single();
    }

    protected void stopTransport() {}

    /** A user: the client and what it has seen. */
    protected record User(String uid, RtmClient client, RecordingListener seen) {}

    @BeforeEach
    void startService() throws Exception {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        timers = new ManualTimers();
        // keepalive is tested on its own; here it must not fire while the clock jumps
        timeouts = new RtmTimeouts(S30, S30, Duration.ofSeconds(60), S30, Duration.ofDays(1));
        service = new RtmService(APP, LoginPolicy.appIdOnly(APP), timers, timeouts, CHANNEL_LIMITS, directory());
        startTransport();
    }

    @AfterEach
    void stopService() {
        clients.forEach(RtmClient::close);
        stopTransport();
        service.close();
    }

    protected User client(String appId) {
        RecordingListener seen = new RecordingListener();
        RtmClient c = newClient(appId, seen);
        clients.add(c);
        return new User(null, c, seen);
    }

    protected User online(String uid) {
        User u = client(APP);
        join(u.client.login(uid, "any-token"));
        return new User(uid, u.client, u.seen);
    }

    protected static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static RtmError errorOf(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RtmException.class);
            return ((RtmException) e.getCause()).error();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("expected the request to fail");
    }

    /** a invites b and b has it (acknowledged: a sees RECEIVED_BY_REMOTE). */
    protected LocalInvitation invited(User a, User b, int nth) {
        LocalInvitation inv = a.client.createLocalInvitation(b.uid).setContent("{\"Mode\":1}").setChannelId("123456789");
        assertThat(inv.send()).isEqualTo(InvitationApiError.OK);
        b.seen.awaitRemote(nth);
        await().until(() -> inv.state() == LocalInvitationState.RECEIVED_BY_REMOTE);
        return inv;
    }

    // ---- login, logout, replaced sessions

    @Test
    void loginAndLogoutShowInStateAndPresence() {
        User a = online("alice");
        User b = online("bob");
        assertThat(a.client.connectionState()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(a.client.uid()).isEqualTo("alice");
        assertThat(a.seen.events).containsSubsequence("state CONNECTING LOGIN", "state CONNECTED LOGIN_SUCCESS");
        assertThat(join(a.client.queryPeersOnlineStatus(List.of("bob", "carol"))))
                .containsExactly(Map.entry("bob", true), Map.entry("carol", false));
        join(b.client.logout());
        assertThat(b.client.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(b.seen.events).contains("state DISCONNECTED LOGOUT");
        assertThat(join(a.client.queryPeersOnlineStatus(List.of("bob")))).containsEntry("bob", false);
        join(b.client.login("bob", null));
        assertThat(join(a.client.queryPeersOnlineStatus(List.of("bob")))).containsEntry("bob", true);
    }

    @Test
    void wrongAppIdIsRefused() {
        User x = client("another-app");
        assertThat(errorOf(x.client.login("alice", null))).isEqualTo(RtmError.INVALID_APP_ID);
        assertThat(x.client.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
        x.seen.awaitEvent("state DISCONNECTED LOGIN_FAILURE");
    }

    @Test
    void badUidsAreRefusedWithTheRule() {
        for (String bad : new String[] {"", "a b", "tab\there", "ctl\u0001", "x".repeat(65), "\u00e9".repeat(33)}) {
            User x = client(APP);
            CompletableFuture<Void> login = x.client.login(bad, null);
            assertThat(errorOf(login)).as("uid %s", bad).isEqualTo(RtmError.INVALID_ARGUMENT);
            assertThatThrownBy(() -> join(login)).hasMessageContaining("uid");
        }
        User ok = client(APP);
        join(ok.client.login("x".repeat(64), null));
        User utf = client(APP);
        join(utf.client.login("\u00e9".repeat(32), null));
    }

    @Test
    void secondLoginOfTheSameUidReplacesTheFirst() {
        User watcher = online("watcher");
        User first = online("dup");
        join(watcher.client.subscribePeersOnlineStatus(List.of("dup")));
        watcher.seen.awaitEvent("presence dup=ONLINE");
        User second = online("dup");
        first.seen.awaitEvent("state ABORTED REMOTE_LOGIN");
        assertThat(first.client.connectionState()).isEqualTo(ConnectionState.ABORTED);
        join(watcher.client.sendMessageToPeer("dup", "to the new one"));
        second.seen.awaitEvent("message watcher: to the new one");
        assertThat(first.seen.events).noneMatch(e -> e.startsWith("message"));
        // the uid never went offline
        assertThat(watcher.seen.events).doesNotContain("presence dup=OFFLINE");
        assertThat(errorOf(first.client.sendMessageToPeer("watcher", "x"))).isEqualTo(RtmError.NOT_LOGGED_IN);
    }

    @Test
    void secondLoginOnTheSameClientIsRefused() {
        User a = online("alice");
        assertThat(errorOf(a.client.login("alice2", null))).isEqualTo(RtmError.ALREADY_LOGGED_IN);
    }

    @Test
    void requestsBeforeLoginAreRefused() {
        User x = client(APP);
        assertThat(errorOf(x.client.sendMessageToPeer("bob", "hi"))).isEqualTo(RtmError.NOT_LOGGED_IN);
        assertThat(errorOf(x.client.queryPeersOnlineStatus(List.of("bob")))).isEqualTo(RtmError.NOT_LOGGED_IN);
    }

    // ---- peer messages

    @Test
    void peerMessagesArriveAndOfflinePeersAreAnError() {
        User a = online("alice");
        User b = online("bob");
        join(a.client.sendMessageToPeer("bob", "{\"Cmd\":\"CallState\"}"));
        b.seen.awaitEvent("message alice: {\"Cmd\":\"CallState\"}");
        assertThat(errorOf(a.client.sendMessageToPeer("nobody", "hello"))).isEqualTo(RtmError.PEER_OFFLINE);
        String max = "m".repeat(RtmLimits.MAX_MESSAGE_BYTES);
        join(a.client.sendMessageToPeer("bob", max));
        b.seen.awaitEvent("message alice: " + max);
        assertThat(errorOf(a.client.sendMessageToPeer("bob", max + "m"))).isEqualTo(RtmError.INVALID_ARGUMENT);
        assertThat(errorOf(a.client.sendMessageToPeer("bad peer", "x"))).isEqualTo(RtmError.INVALID_ARGUMENT);
    }

    // ---- presence

    @Test
    void subscriptionsReportNowAndEveryChangeUntilUnsubscribed() {
        User a = online("alice");
        join(a.client.subscribePeersOnlineStatus(List.of("bob")));
        a.seen.awaitEvent("presence bob=OFFLINE");
        User b = online("bob");
        a.seen.awaitEvent("presence bob=ONLINE");
        join(b.client.logout());
        await().until(() -> a.seen.events.stream().filter("presence bob=OFFLINE"::equals).count() == 2);
        join(a.client.unsubscribePeersOnlineStatus(List.of("bob")));
        join(b.client.login("bob", null));
        join(b.client.sendMessageToPeer("alice", "after"));
        a.seen.awaitEvent("message bob: after");
        assertThat(a.seen.events.stream().filter("presence bob=ONLINE"::equals).count()).isEqualTo(1);
    }

    // ---- invitations: the three outcomes

    @Test
    void acceptedInvitationWalksBothStateMachines() {
        User a = online("alice");
        User b = online("bob");
        LocalInvitation inv = a.client.createLocalInvitation("bob");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.IDLE);
        inv.setContent("{\"Mode\":1,\"ChanId\":\"123456789\"}").setChannelId("123456789");
        assertThat(inv.send()).isEqualTo(InvitationApiError.OK);
        b.seen.awaitEvent("remote received from alice content={\"Mode\":1,\"ChanId\":\"123456789\"} channel=123456789");
        RemoteInvitation r = b.seen.awaitRemote(1);
        assertThat(r.state()).isEqualTo(RemoteInvitationState.INVITATION_RECEIVED);
        a.seen.awaitEvent("local received");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.RECEIVED_BY_REMOTE);
        r.setResponse("{\"Mode\":1,\"Conference\":false,\"UserData\":\"\",\"SipData\":\"\"}");
        assertThat(r.accept()).isEqualTo(InvitationApiError.OK);
        assertThat(r.state()).isIn(RemoteInvitationState.ACCEPT_SENT_TO_LOCAL, RemoteInvitationState.ACCEPTED);
        a.seen.awaitEvent("local accepted {\"Mode\":1,\"Conference\":false,\"UserData\":\"\",\"SipData\":\"\"}");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.ACCEPTED_BY_REMOTE);
        assertThat(inv.response()).contains("Conference");
        b.seen.awaitEvent("remote accepted");
        assertThat(r.state()).isEqualTo(RemoteInvitationState.ACCEPTED);
        assertThat(join(service.liveInvitations())).isZero();
    }

    @Test
    void refusedInvitation() {
        User a = online("alice");
        User b = online("bob");
        invited(a, b, 1);
        RemoteInvitation r = b.seen.awaitRemote(1).setResponse("{\"Cmd\":\"Calling\"}");
        assertThat(r.refuse()).isEqualTo(InvitationApiError.OK);
        a.seen.awaitEvent("local refused {\"Cmd\":\"Calling\"}");
        b.seen.awaitEvent("remote refused");
        assertThat(r.state()).isEqualTo(RemoteInvitationState.REFUSED);
        assertThat(a.seen.events).containsSubsequence("local received", "local refused {\"Cmd\":\"Calling\"}");
    }

    @Test
    void canceledInvitation() {
        User a = online("alice");
        User b = online("bob");
        LocalInvitation inv = invited(a, b, 1);
        assertThat(inv.cancel()).isEqualTo(InvitationApiError.OK);
        a.seen.awaitEvent("local canceled");
        b.seen.awaitEvent("remote canceled");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.CANCELED);
        assertThat(b.seen.awaitRemote(1).state()).isEqualTo(RemoteInvitationState.CANCELED);
    }

    // ---- invitation API-call errors

    @Test
    void apiCallErrors() {
        User a = online("alice");
        User b = online("bob");
        LocalInvitation idle = a.client.createLocalInvitation("bob");
        assertThat(idle.cancel()).isEqualTo(InvitationApiError.NOT_STARTED);
        assertThat(a.client.createLocalInvitation("bob").setContent("c".repeat(8 * 1024 + 1)).send())
                .isEqualTo(InvitationApiError.INVALID_ARGUMENT);
        assertThat(a.client.createLocalInvitation("bob").setContent("c".repeat(8 * 1024)).send())
                .isEqualTo(InvitationApiError.OK);
        assertThat(a.client.createLocalInvitation("bob").setChannelId("c".repeat(65)).send())
                .isEqualTo(InvitationApiError.INVALID_ARGUMENT);
        assertThat(a.client.createLocalInvitation("alice").send()).isEqualTo(InvitationApiError.INVALID_ARGUMENT);
        assertThat(a.client.createLocalInvitation("bad callee").send()).isEqualTo(InvitationApiError.INVALID_ARGUMENT);

        LocalInvitation inv = invited(a, b, 2);
        assertThat(inv.send()).isEqualTo(InvitationApiError.ALREADY_SENT);
        RemoteInvitation r = b.seen.awaitRemote(2);
        assertThat(r.setResponse("r".repeat(8 * 1024 + 1)).accept()).isEqualTo(InvitationApiError.INVALID_ARGUMENT);
        assertThat(r.setResponse("ok").accept()).isEqualTo(InvitationApiError.OK);
        assertThat(r.accept()).isEqualTo(InvitationApiError.ALREADY_ACCEPT);
        assertThat(r.refuse()).isEqualTo(InvitationApiError.ALREADY_ACCEPT);
        await().until(() -> inv.state() == LocalInvitationState.ACCEPTED_BY_REMOTE);
        assertThat(inv.cancel()).isEqualTo(InvitationApiError.ALREADY_ACCEPT);
        assertThat(inv.send()).isEqualTo(InvitationApiError.ALREADY_END);

        LocalInvitation canceled = invited(a, b, 3);
        canceled.cancel();
        a.seen.awaitEvent("local canceled");
        RemoteInvitation gone = b.seen.awaitRemote(3);
        await().until(() -> gone.state() == RemoteInvitationState.CANCELED);
        assertThat(canceled.cancel()).isEqualTo(InvitationApiError.ALREADY_END);
        assertThat(gone.accept()).isEqualTo(InvitationApiError.ALREADY_END);
        assertThat(gone.refuse()).isEqualTo(InvitationApiError.ALREADY_END);
    }

    @Test
    void sendingWhileLoggedOutFailsWithNotLoggedIn() {
        User x = client(APP);
        LocalInvitation inv = x.client.createLocalInvitation("bob");
        assertThat(inv.send()).isEqualTo(InvitationApiError.OK);
        x.seen.awaitEvent("local failure NOT_LOGGEDIN");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.FAILURE);
    }

    // ---- timeouts

    @Test
    void offlineCalleeIsRetriedFor30sThenPeerOffline() {
        User a = online("alice");
        LocalInvitation inv = a.client.createLocalInvitation("bob");
        inv.send();
        await().until(() -> join(service.liveInvitations()) == 1);
        timers.advance(Duration.ofSeconds(29));
        assertThat(inv.state()).isEqualTo(LocalInvitationState.SENT_TO_REMOTE);
        timers.advance(Duration.ofSeconds(1));
        a.seen.awaitEvent("local failure PEER_OFFLINE");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.FAILURE);
    }

    @Test
    void offlineCalleeThatLogsInWithin30sGetsTheInvitation() {
        User a = online("alice");
        LocalInvitation inv = a.client.createLocalInvitation("bob").setContent("late");
        inv.send();
        await().until(() -> join(service.liveInvitations()) == 1);
        timers.advance(Duration.ofSeconds(29));
        User b = online("bob");
        b.seen.awaitEvent("remote received from alice content=late channel=");
        a.seen.awaitEvent("local received");
        // the offline timer is gone: the expiry now counts from the acknowledgement
        timers.advance(Duration.ofSeconds(5));
        b.seen.awaitRemote(1).accept();
        a.seen.awaitEvent("local accepted ");
        b.seen.awaitEvent("remote accepted");
        assertThat(a.seen.events).doesNotContain("local failure PEER_OFFLINE");
    }

    @Test
    void nobodyAnswersFor60sThenBothSidesExpire() {
        User a = online("alice");
        User b = online("bob");
        LocalInvitation inv = invited(a, b, 1);
        timers.advance(Duration.ofSeconds(59));
        assertThat(inv.state()).isEqualTo(LocalInvitationState.RECEIVED_BY_REMOTE);
        timers.advance(Duration.ofSeconds(1));
        a.seen.awaitEvent("local failure INVITATION_EXPIRE");
        b.seen.awaitEvent("remote failure INVITATION_EXPIRE");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.FAILURE);
        assertThat(b.seen.awaitRemote(1).state()).isEqualTo(RemoteInvitationState.FAILURE);
        assertThat(b.seen.awaitRemote(1).accept()).isEqualTo(InvitationApiError.ALREADY_END);
    }

    @Test
    void anAnswerJustBeforeExpiryWins() {
        User a = online("alice");
        User b = online("bob");
        invited(a, b, 1);
        timers.advance(Duration.ofSeconds(59));
        b.seen.awaitRemote(1).accept();
        b.seen.awaitEvent("remote accepted");
        timers.advance(Duration.ofSeconds(120));
        a.seen.awaitEvent("local accepted ");
        assertThat(join(service.liveInvitations())).isZero();
        assertThat(a.seen.events).noneMatch(e -> e.startsWith("local failure"));
    }

    // ---- races and parties leaving

    @Test
    void cancelCrossingAcceptEndsTheSameOnBothSides() {
        User a = online("alice");
        User b = online("bob");
        for (int i = 1; i <= 20; i++) {
            LocalInvitation inv = invited(a, b, i);
            RemoteInvitation r = b.seen.awaitRemote(i);
            if (i % 2 == 0) {
                r.accept();
                inv.cancel();
            } else {
                inv.cancel();
                r.accept();
            }
            await().until(() -> inv.state().isFinal() && r.state().isFinal());
            if (inv.state() == LocalInvitationState.ACCEPTED_BY_REMOTE) {
                assertThat(r.state()).as("round %d", i).isEqualTo(RemoteInvitationState.ACCEPTED);
            } else {
                assertThat(inv.state()).as("round %d", i).isEqualTo(LocalInvitationState.CANCELED);
                assertThat(r.state()).as("round %d", i).isEqualTo(RemoteInvitationState.CANCELED);
            }
        }
        assertThat(join(service.liveInvitations())).isZero();
    }

    @Test
    void callerLoggingOutEndsTheInvitationForTheCallee() {
        User a = online("alice");
        User b = online("bob");
        LocalInvitation inv = invited(a, b, 1);
        join(a.client.logout());
        b.seen.awaitEvent("remote failure PEER_OFFLINE");
        a.seen.awaitEvent("local failure NOT_LOGGEDIN");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.FAILURE);
        assertThat(b.seen.awaitRemote(1).state()).isEqualTo(RemoteInvitationState.FAILURE);
    }

    @Test
    void calleeLoggingOutEndsTheInvitationForTheCaller() {
        User a = online("alice");
        User b = online("bob");
        LocalInvitation inv = invited(a, b, 1);
        join(b.client.logout());
        a.seen.awaitEvent("local failure PEER_OFFLINE");
        assertThat(inv.state()).isEqualTo(LocalInvitationState.FAILURE);
        assertThat(b.seen.awaitRemote(1).state()).isEqualTo(RemoteInvitationState.FAILURE);
    }

    @Test
    void calleeReplacedByAnotherLoginEndsTheInvitation() {
        User a = online("alice");
        User b = online("bob");
        invited(a, b, 1);
        online("bob");
        a.seen.awaitEvent("local failure PEER_OFFLINE");
        b.seen.awaitEvent("state ABORTED REMOTE_LOGIN");
    }

    @Test
    void aClientThatGoesAwayIsLoggedOutAndItsInvitationEnds() {
        User a = online("alice");
        User b = online("bob");
        join(a.client.subscribePeersOnlineStatus(List.of("bob")));
        invited(a, b, 1);
        b.client.close();
        a.seen.awaitEvent("local failure PEER_OFFLINE");
        a.seen.awaitEvent("presence bob=OFFLINE");
    }

    // ---- channels

    /**
     * Waits for the lines, then forgets what was seen so far, so a later count or join is a new
     * line. The last line awaited must be the last event of its step (a count comes last).
     */
    private static void saw(User u, String... lines) {
        for (String line : lines) {
            u.seen.awaitEvent(line);
        }
        u.seen.events.clear();
    }

    @Test
    void channelMembersJoinTalkAndLeave() {
        User a = online("alice");
        User b = online("bob");
        join(a.client.joinChannel("room"));
        saw(a, "channel room count 1");
        join(b.client.joinChannel("room"));
        saw(a, "channel room joined bob", "channel room count 2");
        saw(b, "channel room count 2");
        assertThat(b.seen.events).noneMatch(e -> e.startsWith("channel room joined"));
        assertThat(join(a.client.getChannelMembers("room"))).containsExactly("alice", "bob");
        assertThat(join(b.client.getChannelMembers("room"))).containsExactly("alice", "bob");

        join(a.client.sendChannelMessage("room", "{\"Cmd\":\"Hello\"}"));
        saw(b, "channel room message alice: {\"Cmd\":\"Hello\"}");
        String max = "m".repeat(RtmLimits.MAX_MESSAGE_BYTES);
        join(b.client.sendChannelMessage("room", max));
        a.seen.awaitEvent("channel room message bob: " + max);
        assertThat(b.seen.events).noneMatch(e -> e.contains(" message "));

        join(b.client.leaveChannel("room"));
        a.seen.awaitEvent("channel room left bob");
        a.seen.awaitEvent("channel room count 1");
        assertThat(join(a.client.getChannelMembers("room"))).containsExactly("alice");
        join(a.client.sendChannelMessage("room", "alone"));
        assertThat(errorOf(b.client.getChannelMembers("room"))).isEqualTo(RtmError.NOT_IN_CHANNEL);
        join(a.client.leaveChannel("room"));
        assertThat(service.channelCount()).isZero();
        // a channel left empty is gone; joining again starts it afresh
        join(b.client.joinChannel("room"));
        assertThat(join(b.client.getChannelMembers("room"))).containsExactly("bob");
        assertThat(b.seen.events).noneMatch(e -> e.equals("channel room message alice: alone"));
    }

    @Test
    void channelMisuseGetsNamedErrors() {
        User a = online("alice");
        User b = online("bob");
        join(a.client.joinChannel("room"));
        RtmException twice = (RtmException) org.assertj.core.api.Assertions.catchThrowable(() -> join(a.client.joinChannel("room")));
        assertThat(twice.error()).isEqualTo(RtmError.ALREADY_JOINED);
        assertThat(twice.detail()).contains("already in channel 'room'");
        RtmException notJoined = (RtmException) org.assertj.core.api.Assertions.catchThrowable(() -> join(b.client.leaveChannel("room")));
        assertThat(notJoined.error()).isEqualTo(RtmError.NOT_IN_CHANNEL);
        assertThat(notJoined.detail()).contains("'bob' has not joined channel 'room'");
        assertThat(errorOf(b.client.sendChannelMessage("room", "let me in"))).isEqualTo(RtmError.NOT_IN_CHANNEL);
        assertThat(errorOf(b.client.getChannelMembers("room"))).isEqualTo(RtmError.NOT_IN_CHANNEL);
        assertThat(errorOf(a.client.sendChannelMessage("room", "m".repeat(RtmLimits.MAX_MESSAGE_BYTES + 1))))
                .isEqualTo(RtmError.INVALID_ARGUMENT);
        for (String bad : new String[] {"", "c".repeat(65), "\u00e9".repeat(33), "ctl\u0001"}) {
            CompletableFuture<Void> f = a.client.joinChannel(bad);
            assertThat(errorOf(f)).as("channel id %s", bad).isEqualTo(RtmError.INVALID_ARGUMENT);
            assertThatThrownBy(() -> join(f)).hasMessageContaining("channelId");
        }
        join(a.client.joinChannel("c".repeat(64)));
        join(a.client.joinChannel("with spaces \u5f20\u4e09"));
        User x = client(APP);
        assertThat(errorOf(x.client.joinChannel("room"))).isEqualTo(RtmError.NOT_LOGGED_IN);
        // nothing reached bob, and alice's channels are intact
        assertThat(b.seen.events).noneMatch(e -> e.startsWith("channel"));
        assertThat(join(a.client.getChannelMembers("room"))).containsExactly("alice");
    }

    @Test
    void channelLimitsAreNamed() {
        User a = online("alice");
        for (int i = 1; i <= CHANNEL_LIMITS.maxChannelsPerUser(); i++) {
            join(a.client.joinChannel("room" + i));
        }
        RtmException tooMany = (RtmException) org.assertj.core.api.Assertions.catchThrowable(() -> join(a.client.joinChannel("one-more")));
        assertThat(tooMany.error()).isEqualTo(RtmError.TOO_MANY_CHANNELS);
        assertThat(tooMany.detail()).contains("rtm_channels_per_user");
        join(a.client.leaveChannel("room1"));
        join(a.client.joinChannel("one-more"));

        for (int i = 2; i <= CHANNEL_LIMITS.maxMembers(); i++) {
            join(online("member" + i).client.joinChannel("room2"));
        }
        User late = online("late");
        RtmException full = (RtmException) org.assertj.core.api.Assertions.catchThrowable(() -> join(late.client.joinChannel("room2")));
        assertThat(full.error()).isEqualTo(RtmError.CHANNEL_FULL);
        assertThat(full.detail()).contains("rtm_channel_members");
        assertThat(join(a.client.getChannelMembers("room2"))).hasSize(CHANNEL_LIMITS.maxMembers()).doesNotContain("late");
        join(a.client.leaveChannel("room2"));
        join(late.client.joinChannel("room2"));
    }

    @Test
    void aMemberThatLogsOutIsReplacedOrGoesAwayLeavesItsChannels() {
        User a = online("alice");
        User b = online("bob");
        User c = online("carol");
        User d = online("dave");
        join(a.client.joinChannel("room"));
        for (User u : List.of(b, c, d)) {
            join(u.client.joinChannel("room"));
            a.seen.awaitEvent("channel room joined " + u.uid);
        }
        join(d.client.leaveChannel("room"));
        saw(a, "channel room left dave", "channel room count 3");

        join(b.client.logout());
        saw(a, "channel room left bob", "channel room count 2");
        assertThat(join(a.client.getChannelMembers("room"))).containsExactly("alice", "carol");

        User carol2 = online("carol");
        c.seen.awaitEvent("state ABORTED REMOTE_LOGIN");
        saw(a, "channel room left carol", "channel room count 1");
        // the new session of the uid is not in the old one's channels
        assertThat(join(a.client.getChannelMembers("room"))).containsExactly("alice");
        assertThat(errorOf(carol2.client.sendChannelMessage("room", "x"))).isEqualTo(RtmError.NOT_IN_CHANNEL);
        join(carol2.client.joinChannel("room"));
        saw(a, "channel room joined carol", "channel room count 2");

        carol2.client.close();
        a.seen.awaitEvent("channel room left carol");
        a.seen.awaitEvent("channel room count 1");
        // logged in again, bob is no member until he joins
        join(b.client.login("bob", null));
        assertThat(errorOf(b.client.getChannelMembers("room"))).isEqualTo(RtmError.NOT_IN_CHANNEL);
    }

    @Test
    void oneUserInSeveralChannelsHearsEachOnItsOwn() {
        User a = online("alice");
        User b = online("bob");
        User c = online("carol");
        join(a.client.joinChannel("one"));
        join(a.client.joinChannel("two"));
        join(b.client.joinChannel("one"));
        join(c.client.joinChannel("two"));
        a.seen.awaitEvent("channel one joined bob");
        a.seen.awaitEvent("channel two joined carol");
        join(b.client.sendChannelMessage("one", "in one"));
        join(c.client.sendChannelMessage("two", "in two"));
        a.seen.awaitEvent("channel one message bob: in one");
        a.seen.awaitEvent("channel two message carol: in two");
        join(a.client.sendChannelMessage("two", "to two"));
        c.seen.awaitEvent("channel two message alice: to two");
        join(a.client.sendChannelMessage("one", "to one"));
        b.seen.awaitEvent("channel one message alice: to one");
        assertThat(b.seen.events).noneMatch(e -> e.contains("two"));
        assertThat(c.seen.events).noneMatch(e -> e.contains("one"));

        join(a.client.logout());
        b.seen.awaitEvent("channel one left alice");
        c.seen.awaitEvent("channel two left alice");
        b.seen.awaitEvent("channel one count 1");
        c.seen.awaitEvent("channel two count 1");
    }
}
