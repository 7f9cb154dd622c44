package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import io.srproxy.sip.CallEnd;
import io.srproxy.sip.CallListener;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.OutgoingCall;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP leg of an app->SIP call run here for the node holding the call's acc_rule account
 * ({@link RemoteLegs}), because the call's RTC channel lives here: the same INVITE as
 * {@link AppToSipCall} would send (this node's dial plan, Contact and media), the leg in the
 * channel here, and each step reported to the requesting node, which keeps the RTM side.
 */
final class HostedSipLeg extends BridgedCall {

    private static final Logger log = LoggerFactory.getLogger(HostedSipLeg.class);

    private final RemoteLegs legs;
    private final String requester;
    private final String leg;
    private final String account;
    private final InvitationContent content;
    private OutgoingCall sip;
    private String pendingReason;

    HostedSipLeg(GatewayContext ctx, RemoteLegs legs, String requester, String leg, String account, String appUid,
                 String channelId, InvitationContent content) {
        super(ctx, channelId, appUid);
        this.legs = legs;
        this.requester = requester;
        this.leg = leg;
        this.account = account;
        this.content = content;
    }

    String requester() {
        return requester;
    }

    String leg() {
        return leg;
    }

    void start() {
        executor.execute(() -> {
            DialPlan.Target target = ctx.plan().target(account, appUid, content);
            CallRecord.Direction direction = content.pstn() ? CallRecord.Direction.APP_TO_PSTN : CallRecord.Direction.APP_TO_SIP;
            record = CallRecord.started(id, direction, appUid, target.user(), channelId, ctx.clock().instant());
            ctx.calls().started(record);
            try {
                sip = AccountDialer.dial(ctx, target, appUid, content.conference(), new SipEvents());
                log.info("call {}: SIP leg of node {}'s call {}: {} -> {} ({}), channel {}", id, LogSafe.of(requester), leg,
                        LogSafe.of(appUid), LogSafe.of(target.uri()), direction, LogSafe.of(channelId));
                report(LegMessage.Kind.PLACED, 0, null);
            } catch (IOException | RuntimeException e) {
                end(500, "cannot place the SIP call: " + e.getMessage());
            }
        });
    }

    /** The requesting node hung up, or died. */
    void hangUp(String why) {
        executor.execute(() -> {
            if (isEnded()) {
                return;
            }
            log.info("call {}: {}", id, LogSafe.of(why));
            pendingReason = why;
            if (sip != null) {
                sip.hangUp(); // ended() follows
            } else {
                end(487, why);
            }
        });
    }

    @Override
    void shutdown() {
        hangUp("srproxy shutting down");
    }

    private void report(LegMessage.Kind kind, int status, String text) {
        legs.report(requester, leg, kind, status, text);
    }

    private void end(int status, String why) {
        report(LegMessage.Kind.ENDED, status, why);
        finish(pendingReason != null ? pendingReason : why, null); // the requesting node tells the app
    }

    private final class SipEvents implements CallListener {
        @Override
        public void earlyMedia(NegotiatedMedia media) {
            executor.execute(() -> bridge(sip, media, account));
        }

        @Override
        public void answered(NegotiatedMedia media) {
            executor.execute(() -> {
                if (isEnded()) {
                    return;
                }
                bridge(sip, media, account);
                if (content.conference() && !inChannel()) {
                    report(LegMessage.Kind.FAILED, 0, "cannot join channel " + channelId + ": " + bridgeProblem());
                    hangUp("cannot join the conference in channel " + channelId + ": " + bridgeProblem());
                    return;
                }
                markAnswered();
                report(LegMessage.Kind.ANSWERED, 200, null);
            });
        }

        @Override
        public void mediaChanged(NegotiatedMedia media) {
            executor.execute(() -> bridge(sip, media, account));
        }

        @Override
        public void failed(int status, String reason) {
            executor.execute(() -> report(LegMessage.Kind.FAILED, status, reason));
        }

        @Override
        public void dtmf(char digit) {
            report(LegMessage.Kind.DTMF, 0, String.valueOf(digit));
        }

        @Override
        public void ended(CallEnd end) {
            executor.execute(() -> end(end.status(), "SIP: " + end));
        }
    }

    @Override
    protected void aloneInChannel() {
        if (content.conference() && pendingReason == null) {
            hangUp("everyone else left the conference");
        }
    }

    @Override
    protected void onFinished() {
        legs.hostedEnded(this);
    }
}
