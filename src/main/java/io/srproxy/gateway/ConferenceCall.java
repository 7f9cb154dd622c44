package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import io.srproxy.media.PayloadFormat;
import io.srproxy.sip.CallEnd;
import io.srproxy.sip.CallListener;
import io.srproxy.sip.IncomingCall;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.OfferAnswer;
import io.srproxy.sip.SipAgent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP -> conference: a phone dialled {@code <[conference] prefix><room>}. The call is answered at
 * once and, without a PIN, the phone joins RTC channel {@code room} (made on demand) as a member
 * of its own, heard and hearing through the conference mixer once there are three. With
 * {@code [conference] pin} it first has {@link #PIN_WAIT_SECONDS} to key the PIN as RFC 4733
 * telephone-events ended by {@code #}; three wrong PINs or the time running out end the call
 * with a BYE. No app is invited: the room is whoever is in the channel.
 */
final class ConferenceCall extends BridgedCall {

    private static final Logger log = LoggerFactory.getLogger(ConferenceCall.class);

    static final int PIN_WAIT_SECONDS = 20;
    static final int PIN_ATTEMPTS = 3;
    private static final int MAX_DIGITS = 32;

    /**
     * What a phone in a conference speaks, whatever {@code [media] codecs} says: G.711. The mixer
     * has no G.722 (srproxy has no G.722 codec), and it mixes at 8 kHz anyway, where G.711 costs
     * it a table look-up per sample and Opus a libopus encode per leg.
     */
    static final List<PayloadFormat> CODECS = List.of(PayloadFormat.PCMU, PayloadFormat.PCMA);

    private final IncomingCall sip;
    private final Optional<String> pin;
    private final String legUid;
    private final StringBuilder keyed = new StringBuilder();
    private int wrongPins;
    private boolean admitted;
    private ScheduledFuture<?> pinTimer;
    private String pendingReason;

    ConferenceCall(GatewayContext ctx, IncomingCall sip, String room, Optional<String> pin) {
        super(ctx, room, "");
        this.sip = sip;
        this.pin = pin;
        this.legUid = ctx.identities().claim(sip.callerNumber());
    }

    /** Offer/answer for a conference leg: the configured codecs narrowed to {@link #CODECS}. */
    static OfferAnswer codecs(SipAgent agent) {
        return agent.offerAnswer().narrowedTo(CODECS);
    }

    /** On the SIP call's executor, from the incoming-call handler: take over its events. */
    void start() {
        sip.setListener(new SipEvents());
        executor.execute(() -> {
            record = CallRecord.started(id, CallRecord.Direction.SIP_TO_CONFERENCE, legUid, sip.callerNumber(), channelId,
                    ctx.clock().instant());
            ctx.calls().started(record);
            log.info("call {}: SIP {} dials into room {}{}", id, LogSafe.of(sip.callerNumber()), LogSafe.of(channelId),
                    pin.isPresent() ? " (PIN asked)" : "");
            if (pin.isEmpty()) {
                admit();
            } else {
                pinTimer = ctx.timers().schedule(() -> executor.execute(() -> {
                    if (!admitted) {
                        hangUp("no PIN within " + PIN_WAIT_SECONDS + " s");
                    }
                }), PIN_WAIT_SECONDS, TimeUnit.SECONDS);
            }
            sip.answer(); // answered() follows the ACK
        });
    }

    private void admit() {
        admitted = true;
        if (pinTimer != null) {
            pinTimer.cancel(false);
        }
        bridge(sip, sip.media(), legUid);
        if (!inChannel()) {
            hangUp("cannot join room " + channelId + ": " + bridgeProblem());
        }
    }

    /** A digit keyed while the PIN is asked (after it, digits are ignored). */
    private void onDigit(char digit) {
        if (admitted || isEnded() || pin.isEmpty()) {
            return;
        }
        if (digit != '#') {
            if (keyed.length() < MAX_DIGITS) {
                keyed.append(digit);
            }
            return;
        }
        if (keyed.toString().equals(pin.get())) {
            log.info("call {}: PIN accepted", id);
            admit();
            return;
        }
        keyed.setLength(0);
        wrongPins++;
        log.info("call {}: wrong PIN ({} of {})", id, wrongPins, PIN_ATTEMPTS);
        if (wrongPins >= PIN_ATTEMPTS) {
            hangUp("wrong PIN " + PIN_ATTEMPTS + " times");
        }
    }

    private void hangUp(String why) {
        if (isEnded()) {
            return;
        }
        pendingReason = why;
        log.info("call {}: hanging up: {}", id, LogSafe.of(why));
        sip.hangUp(); // ended() follows
    }

    @Override
    void shutdown() {
        executor.execute(() -> hangUp("srproxy shutting down"));
    }

    private final class SipEvents implements CallListener {
        @Override
        public void answered(NegotiatedMedia media) {
            executor.execute(() -> {
                if (admitted) {
                    bridge(sip, media, legUid);
                }
                markAnswered();
            });
        }

        @Override
        public void mediaChanged(NegotiatedMedia media) {
            executor.execute(() -> {
                if (admitted) {
                    bridge(sip, media, legUid);
                }
            });
        }

        @Override
        public void dtmf(char digit) {
            executor.execute(() -> onDigit(digit));
        }

        @Override
        public void ended(CallEnd end) {
            executor.execute(() -> {
                if (pinTimer != null) {
                    pinTimer.cancel(false);
                }
                finish(pendingReason != null ? pendingReason : "SIP: " + end, null);
            });
        }
    }

    @Override
    protected void onFinished() {
        ctx.identities().release(legUid);
    }
}
