package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.rtm.LocalInvitationFailureReason;
import io.srproxy.rtm.LocalInvitationState;
import io.srproxy.rtm.PeerOnlineState;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.sip.CallEnd;
import io.srproxy.sip.CallListener;
import io.srproxy.sip.IncomingCall;
import io.srproxy.sip.NegotiatedMedia;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP -> app: a phone dialled {@code <prefix><uid>}. Presence is checked first (offline -> 480 at
 * once); then the SIP leg joins the call's channel (silent until the app joins too) and a per-call
 * RTM identity invites the app user. Received -> 180; accepted -> 200 and audio; refused -> 486 for ARCall's busy, 603 otherwise; no answer or offline -> 480.
 */
final class SipToAppCall extends BridgedCall {

    private static final Logger log = LoggerFactory.getLogger(SipToAppCall.class);

    private final IncomingCall sip;
    private final RtmClient presence;
    /** The per-call RTM identity; replaced (on the executor, before the login) when another node's call has it. */
    private String callerUid;
    private int identityClaims;
    /** Identities another node's call has: kept from the local allocator until this call ends, so the next try is a new one. */
    private final List<String> refusedIdentities = new java.util.ArrayList<>();
    private RtmClient client;
    private LocalInvitation invitation;
    private String pendingReason;
    /** Told the final SIP status once (200 when answered): other nodes' branches of this call follow it. */
    private final java.util.function.IntConsumer finalStatus;
    private boolean statusTold;

    SipToAppCall(GatewayContext ctx, IncomingCall sip, String uid, RtmClient presence) {
        this(ctx, sip, uid, presence, status -> { });
    }

    SipToAppCall(GatewayContext ctx, IncomingCall sip, String uid, RtmClient presence,
                 java.util.function.IntConsumer finalStatus) {
        super(ctx, CallIdentities.channelId(), uid);
        this.sip = sip;
        this.presence = presence;
        this.finalStatus = finalStatus;
        this.callerUid = ctx.identities().claim(sip.callerNumber());
    }

    /** On the executor. */
    private void tellStatus(int status) {
        if (!statusTold) {
            statusTold = true;
            finalStatus.accept(status);
        }
    }

    /** Called on the SIP call's executor by the incoming-call handler: take over its events. */
    void start() {
        sip.setListener(new SipEvents());
        executor.execute(() -> {
            record = CallRecord.started(id, CallRecord.Direction.SIP_TO_APP, appUid, sip.callerNumber(), channelId,
                    ctx.clock().instant());
            ctx.calls().started(record);
            presence.queryPeersOnlineStatus(List.of(appUid)).whenComplete((online, e) -> executor.execute(() -> {
                if (e != null || !Boolean.TRUE.equals(online.get(appUid))) {
                    reject(480, e != null ? "presence query failed: " + e.getMessage() : "app user " + appUid + " is offline");
                    return;
                }
                invite();
            }));
        });
    }

    /** Most identities tried in the cluster before a random one (which needs no claim). */
    private static final int IDENTITY_CLAIMS = 5;

    private void invite() {
        if (isEnded()) {
            return;
        }
        String uid = callerUid;
        ctx.cluster().claimIdentity(uid).whenComplete((ours, e) -> executor.execute(() -> {
            if (isEnded()) {
                ctx.cluster().releaseIdentity(uid); // claimed after onFinished released it
                return;
            }
            if (Boolean.FALSE.equals(ours)) { // another node's call logs in as it: take the next one
                // uid stays claimed here: released at once, the allocator would hand it out again next
                // (sip~1005, ~2, sip~1005, ~2, ...) and never reach a free ~3
                refusedIdentities.add(uid);
                String next = ctx.identities().claim(++identityClaims < IDENTITY_CLAIMS ? sip.callerNumber() : null);
                callerUid = next;
                if (CallIdentities.isRandom(next)) {
                    login();
                } else {
                    invite();
                }
                return;
            }
            login();
        }));
    }

    private void login() {
        client = ctx.rtm().createClient(new RtmEvents());
        client.login(callerUid, null).whenComplete((ok, e) -> executor.execute(() -> {
            if (isEnded()) {
                return;
            }
            if (e != null) {
                reject(480, "per-call RTM login failed: " + e.getMessage());
                return;
            }
            // the SIP leg waits in the channel while the app rings: the app's /rtc join then finds
            // the leg's codec there and answers with it when it can (G.711/G.722 passthrough)
            bridge(sip, sip.media(), callerUid);
            String display = sip.callerDisplayName().isEmpty() ? sip.callerNumber() : sip.callerDisplayName();
            invitation = client.createLocalInvitation(appUid)
                    .setContent(GatewayMessages.incomingSipCall(channelId, display,
                            sip.srproxyData() == null ? "" : sip.srproxyData()))
                    .setChannelId(channelId);
            client.subscribePeersOnlineStatus(List.of(appUid));
            var error = invitation.send();
            log.info("call {}: SIP {} -> app {} via {}, channel {} ({})", id, LogSafe.of(sip.callerNumber()), appUid,
                    callerUid, LogSafe.of(channelId), error);
        }));
    }

    @Override
    void shutdown() {
        executor.execute(() -> hangUp("srproxy shutting down"));
    }

    private void reject(int status, String why) {
        if (isEnded()) {
            return;
        }
        pendingReason = why;
        log.info("call {}: rejecting with {}: {}", id, status, LogSafe.of(why));
        sip.reject(status); // ended() follows
    }

    private void hangUp(String why) {
        if (isEnded()) {
            return;
        }
        pendingReason = why;
        sip.hangUp();
    }

    private boolean invitationPending() {
        if (invitation == null) {
            return false;
        }
        LocalInvitationState s = invitation.state();
        return s == LocalInvitationState.SENT_TO_REMOTE || s == LocalInvitationState.RECEIVED_BY_REMOTE;
    }

    int callState() {
        return isEnded() ? GatewayMessages.STATE_IDLE : isAnswered() ? GatewayMessages.STATE_IN_CALL : GatewayMessages.STATE_RINGING;
    }

    // ---- RTM side: the per-call identity's events ----

    private final class RtmEvents implements RtmListener {
        @Override
        public void onLocalInvitationReceivedByPeer(LocalInvitation inv) {
            executor.execute(sip::ringing);
        }

        @Override
        public void onLocalInvitationAccepted(LocalInvitation inv, String response) {
            executor.execute(() -> {
                if (isEnded()) {
                    // our cancel crossed the accept and lost: the app thinks it is in a call
                    client.sendMessageToPeer(appUid, GatewayMessages.endCall()).exceptionally(e -> null);
                    return;
                }
                markAppInCall();
                bridge(sip, sip.media(), callerUid);
                tellStatus(200);
                sip.answer(); // answered() follows the ACK
            });
        }

        @Override
        public void onLocalInvitationRefused(LocalInvitation inv, String response) {
            executor.execute(() -> reject(GatewayMessages.isBusyResponse(response) ? 486 : 603,
                    "app refused: " + response));
        }

        @Override
        public void onLocalInvitationFailure(LocalInvitation inv, LocalInvitationFailureReason reason) {
            executor.execute(() -> reject(reason == LocalInvitationFailureReason.PEER_NO_RESPONSE ? 408 : 480,
                    "invitation failed: " + reason));
        }

        @Override
        public void onMessageFromPeer(String text, String peerId) {
            if (!peerId.equals(appUid)) {
                return;
            }
            String cmd = GatewayMessages.commandOf(text).orElse("");
            if (cmd.equals("EndCall")) {
                executor.execute(() -> hangUp("app hung up"));
            } else if (cmd.equals("CallState")) {
                client.sendMessageToPeer(peerId, GatewayMessages.callStateResult(callState(), 1)).exceptionally(e -> null);
            }
        }

        @Override
        public void onPeersOnlineStatusChanged(Map<String, PeerOnlineState> peers) {
            if (peers.get(appUid) == PeerOnlineState.OFFLINE) {
                executor.execute(() -> hangUp("app went offline"));
            }
        }
    }

    // ---- SIP side ----

    private final class SipEvents implements CallListener {
        @Override
        public void answered(NegotiatedMedia media) {
            executor.execute(() -> {
                bridge(sip, media, callerUid);
                markAnswered();
            });
        }

        @Override
        public void mediaChanged(NegotiatedMedia media) {
            executor.execute(() -> bridge(sip, media, callerUid));
        }

        @Override
        public void dtmf(char digit) {
            RtmClient c = client;
            if (c != null) {
                c.sendMessageToPeer(appUid, GatewayMessages.dtmf(digit)).exceptionally(e -> null);
            }
        }

        @Override
        public void ended(CallEnd end) {
            executor.execute(() -> {
                tellStatus(end.status() >= 300 ? end.status() : 487);
                if (invitationPending()) {
                    invitation.cancel(); // the caller hung up (CANCEL) or we gave up
                }
                finish(pendingReason != null ? pendingReason : "SIP: " + end, client);
            });
        }
    }

    @Override
    protected void onFinished() {
        refusedIdentities.forEach(ctx.identities()::release);
        refusedIdentities.clear();
        RtmClient c = client;
        if (c != null) {
            // let the EndCall and the cancel go out before the identity disappears; only then may
            // the next call from this number log in as it
            String uid = callerUid;
            ctx.timers().schedule(() -> {
                c.close();
                ctx.identities().release(uid);
                ctx.cluster().releaseIdentity(uid);
            }, 2, java.util.concurrent.TimeUnit.SECONDS);
        } else {
            ctx.identities().release(callerUid);
            ctx.cluster().releaseIdentity(callerUid);
        }
    }
}
