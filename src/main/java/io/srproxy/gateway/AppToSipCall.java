package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import io.srproxy.rtc.ChannelPlacement;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RemoteInvitationState;
import io.srproxy.sip.CallEnd;
import io.srproxy.sip.CallListener;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.OutgoingCall;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * app -> SIP: an app user invited one of the acc_rule accounts. The SIP call is placed at once;
 * the RTM invitation is accepted only when the SIP side answers and refused with the SIP status
 * when it fails. Early media is bridged into the channel so the caller hears ringback.
 */
final class AppToSipCall extends BridgedCall {

    private static final Logger log = LoggerFactory.getLogger(AppToSipCall.class);

    private final GatewayAccount account;
    private final RemoteInvitation invitation;
    private final InvitationContent content;
    private OutgoingCall sip;
    private String pendingReason; // why we hung up, reported when the SIP call has ended
    /** The node running the SIP leg when it is not this one (the channel lives there), else null. */
    private String remoteNode;
    /** The channel was claimed here for the leg ({@link io.srproxy.rtc.ChannelPlacement#reserve}). */
    private boolean reservedHere;

    AppToSipCall(GatewayContext ctx, GatewayAccount account, RemoteInvitation invitation, InvitationContent content,
                 String channelId) {
        super(ctx, channelId, invitation.callerId());
        this.account = account;
        this.invitation = invitation;
        this.content = content;
    }

    /**
     * Places the SIP leg where the call's RTC channel lives: here when the channel is unclaimed
     * (then claimed for the leg at once, so that the app's /rtc join comes here even before the
     * leg is in the channel) or ours (always on one node), else at its node ({@link RemoteLegs}),
     * so that the leg's media and the app's meet on one node.
     */
    void start() {
        executor.execute(() -> {
            DialPlan.Target target = ctx.plan().target(account.uid(), appUid, content);
            CallRecord.Direction direction = content.pstn() ? CallRecord.Direction.APP_TO_PSTN : CallRecord.Direction.APP_TO_SIP;
            record = CallRecord.started(id, direction, appUid, target.user(), channelId, ctx.clock().instant());
            ctx.calls().started(record);
            account.client().subscribePeersOnlineStatus(List.of(appUid));
            var owner = ctx.channels().placement().reserve(channelId).toCompletableFuture();
            if (owner.isDone()) { // one node (and no Redis needed): at once, as always
                place(target, direction, owner.getNow(null));
            } else {
                owner.whenComplete((o, e) -> executor.execute(() -> place(target, direction, o)));
            }
        });
    }

    private void place(DialPlan.Target target, CallRecord.Direction direction, ChannelPlacement.Owner owner) {
        if (owner == null) {
            reservedHere = true;
        }
        if (isEnded()) {
            releaseReservation(); // cancelled while Redis was asked
            return;
        }
        if (owner != null) {
            remoteNode = owner.node();
            log.info("call {}: {} -> {} ({}), channel {} lives at node {}: the SIP leg runs there", id, appUid,
                    LogSafe.of(target.uri()), direction, LogSafe.of(channelId), LogSafe.of(remoteNode));
            account.legs().place(remoteNode, id, account.uid(), appUid, channelId, invitation.content(),
                    m -> executor.execute(() -> remoteEvent(m)));
            return;
        }
        try {
            sip = AccountDialer.dial(ctx, target, appUid, content.conference(), new SipEvents());
            log.info("call {}: {} -> {} ({}), channel {}", id, appUid, LogSafe.of(target.uri()), direction, LogSafe.of(channelId));
        } catch (IOException | RuntimeException e) {
            refuse(GatewayMessages.sipError(500, "cannot place the SIP call: " + e.getMessage()));
            finish("SIP call not placed: " + e.getMessage(), null);
        }
    }

    /** The SIP leg's progress at {@link #remoteNode}: the RTM side moves as for a local leg. */
    private void remoteEvent(LegMessage m) {
        if (isEnded()) {
            return;
        }
        switch (m.kind()) {
            case ANSWERED -> {
                markAnswered();
                invitation.setResponse(GatewayMessages.accepted(content, channelId, account.uid())).accept();
            }
            case FAILED -> refuse(m.status() > 0 ? GatewayMessages.sipError(m.status(), m.text())
                    : GatewayMessages.error(String.valueOf(m.text())));
            case DTMF -> {
                if (m.text() != null && m.text().length() == 1) {
                    account.client().sendMessageToPeer(appUid, GatewayMessages.dtmf(m.text().charAt(0))).exceptionally(e -> null);
                }
            }
            case ENDED -> {
                refuse(GatewayMessages.sipError(m.status() > 0 ? m.status() : 480, String.valueOf(m.text())));
                finish(pendingReason != null ? pendingReason : "SIP at node " + remoteNode + ": " + m.text(), account.client());
            }
            default -> { } // PLACED: the INVITE is out
        }
    }

    // ---- app side (from the account's RTM listener) ----

    void appCancelled() {
        executor.execute(() -> hangUpSip("app cancelled"));
    }

    void appHungUp() {
        executor.execute(() -> hangUpSip("app hung up"));
    }

    void appWentOffline() {
        executor.execute(() -> hangUpSip("app went offline"));
    }

    void appInvitationFailed(String why) {
        executor.execute(() -> hangUpSip("invitation failed: " + why));
    }

    @Override
    void shutdown() {
        executor.execute(() -> hangUpSip("srproxy shutting down"));
    }

    void gatewayAccountLost() {
        executor.execute(() -> hangUpSip("gateway RTM session of " + account.uid() + " lost"));
    }

    int callState() {
        return isEnded() ? GatewayMessages.STATE_IDLE : isAnswered() ? GatewayMessages.STATE_IN_CALL : GatewayMessages.STATE_RINGING;
    }

    int mode() {
        return content.mode();
    }

    private void hangUpSip(String why) {
        if (isEnded()) {
            return;
        }
        log.info("call {}: {}", id, LogSafe.of(why));
        pendingReason = why;
        if (sip != null) {
            sip.hangUp(); // CANCEL before the answer, BYE after; ended() follows
        } else if (remoteNode != null) {
            account.legs().hangUp(id); // ENDED follows (or the node's death, or the place timeout)
        } else {
            finish(why, null);
        }
    }

    private void refuse(String response) {
        if (invitation.state() == RemoteInvitationState.INVITATION_RECEIVED) {
            invitation.setResponse(response).refuse();
        }
    }

    // ---- SIP side ----

    private final class SipEvents implements CallListener {
        @Override
        public void earlyMedia(NegotiatedMedia media) {
            executor.execute(() -> bridge(sip, media, account.uid()));
        }

        @Override
        public void answered(NegotiatedMedia media) {
            executor.execute(() -> {
                if (isEnded()) {
                    return;
                }
                bridge(sip, media, account.uid());
                if (content.conference() && !inChannel()) {
                    // e.g. conference-codec: the channel's phone speaks G.722; the group call goes on without this phone
                    refuse(GatewayMessages.error("cannot join channel " + channelId + ": " + bridgeProblem()));
                    hangUpSip("cannot join the conference in channel " + channelId + ": " + bridgeProblem());
                    return;
                }
                markAnswered();
                invitation.setResponse(GatewayMessages.accepted(content, channelId, account.uid())).accept();
            });
        }

        @Override
        public void mediaChanged(NegotiatedMedia media) {
            executor.execute(() -> bridge(sip, media, account.uid()));
        }

        @Override
        public void failed(int status, String reason) {
            executor.execute(() -> refuse(GatewayMessages.sipError(status, reason)));
        }

        @Override
        public void dtmf(char digit) {
            account.client().sendMessageToPeer(appUid, GatewayMessages.dtmf(digit)).exceptionally(e -> null);
        }

        @Override
        public void ended(CallEnd end) {
            executor.execute(() -> {
                refuse(GatewayMessages.sipError(end.status() > 0 ? end.status() : 480, end.toString()));
                finish(pendingReason != null ? pendingReason : "SIP: " + end, account.client());
            });
        }
    }

    /** An extension invited into a group call ({@code Conference: true}) hangs up when it is the last one there. */
    @Override
    protected void aloneInChannel() {
        if (content.conference() && pendingReason == null) {
            hangUpSip("everyone else left the conference");
        }
    }

    private void releaseReservation() {
        if (reservedHere) {
            reservedHere = false;
            ctx.channels().placement().unreserve(channelId);
        }
    }

    @Override
    protected void onFinished() {
        releaseReservation();
        account.client().unsubscribePeersOnlineStatus(List.of(appUid));
        account.callEnded(this);
    }
}
