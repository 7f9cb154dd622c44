package io.srproxy.gateway;

import io.srproxy.concurrent.SerialExecutor;
import io.srproxy.log.LogSafe;
import io.srproxy.media.MediaKind;
import io.srproxy.rtc.RtcEvent;
import io.srproxy.rtc.RtcException;
import io.srproxy.rtc.RtpSessionTransport;
import io.srproxy.rtm.RtmClient;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.SipCall;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both directions share: one serial executor for all of the call's events (SIP, RTM, RTC,
 * timers), the SIP leg's membership in the channel, the call record, and ending exactly once.
 */
abstract class BridgedCall {

    private static final Logger log = LoggerFactory.getLogger(BridgedCall.class);

    protected final GatewayContext ctx;
    protected final SerialExecutor executor;
    protected final String id = UUID.randomUUID().toString();
    protected final String channelId;
    protected final String appUid;
    protected CallRecord record;
    private RtpSessionTransport leg;
    private String legUid;
    private String bridgeProblem = "";
    private volatile boolean ended;
    private boolean answered;
    private boolean appInCall;

    BridgedCall(GatewayContext ctx, String channelId, String appUid) {
        this.ctx = ctx;
        this.executor = new SerialExecutor(ctx.pool());
        this.channelId = channelId;
        this.appUid = appUid;
        ctx.live().add(this);
    }

    /** srproxy is stopping: hang up (BYE or CANCEL, EndCall to the app); the call ends as usual. */
    abstract void shutdown();

    boolean isEnded() {
        return ended;
    }

    boolean isAnswered() {
        return answered;
    }

    /** Puts the SIP leg into the channel (early media or answer); later calls update its media. */
    protected void bridge(SipCall call, NegotiatedMedia media, String uid) {
        if (leg != null) {
            leg.setCodecs(SipLegTransport.codecs(media));
            return;
        }
        RtpSessionTransport transport;
        try {
            transport = SipLegTransport.of(call, media); // opens the SIP leg's RTP session if not yet
        } catch (java.io.UncheckedIOException e) {
            log.warn("call {}: no RTP session for the SIP leg: {}", id, e.getMessage());
            bridgeProblem = e.getMessage();
            return;
        }
        // the SIP side's codec is settled now: on record before the leg shows up in the channel, so
        // whoever sees the member there also sees the codec
        record = record.withCodecs(record.appCodec().orElse(null), media.audio().name());
        ctx.calls().updated(record);
        try {
            ctx.channels().join(channelId, uid, transport, event -> {
                if (event instanceof RtcEvent.UserJoined || event instanceof RtcEvent.UserCodecChanged) {
                    executor.execute(this::noteAppCodec);
                } else if (event instanceof RtcEvent.UserLeft) {
                    executor.execute(this::checkAlone);
                }
            });
            // a SIP leg always sends audio: announce it, so apps subscribe
            ctx.channels().channel(channelId).ifPresent(c -> c.publish(uid, MediaKind.AUDIO, true));
            leg = transport;
            legUid = uid;
            noteAppCodec();
            log.info("call {}: SIP leg {} in channel {} ({})", id, LogSafe.of(uid), LogSafe.of(channelId), media.audio().name());
        } catch (RtcException | IllegalArgumentException e) {
            log.warn("call {}: cannot put the SIP leg into channel {}: {}", id, LogSafe.of(channelId), LogSafe.of(e.getMessage()));
            bridgeProblem = e.getMessage();
            transport.close();
        }
    }

    /** A member left: when the SIP leg is the last one in the channel, {@link #aloneInChannel} is told. */
    private void checkAlone() {
        if (leg != null && !ended && ctx.channels().channel(channelId).map(c -> c.uids().equals(java.util.List.of(legUid))).orElse(false)) {
            aloneInChannel();
        }
    }

    /** Hook: everyone else has left the channel (a conference leg may hang up). */
    protected void aloneInChannel() {}

    /** Why the SIP leg could not join the channel last time, or "". */
    protected String bridgeProblem() {
        return bridgeProblem;
    }

    /** True once the SIP leg is a member of the channel. */
    protected boolean inChannel() {
        return leg != null;
    }

    /**
     * The app accepted and is joining the channel, whether or not the SIP side ever confirms: from
     * now on the end of the call must reach it as EndCall (a 200 whose ACK never comes, a BYE or
     * CANCEL crossing the accept), or it would sit alone in the channel.
     */
    protected void markAppInCall() {
        appInCall = true;
    }

    /**
     * Records the audio codec of the app's leg (the other member): the same as the SIP leg's means
     * passthrough, Opus against G.711 means transcoding. Runs when either joins.
     */
    private void noteAppCodec() {
        if (leg == null || record == null) {
            return;
        }
        ctx.channels().channel(channelId).ifPresent(c -> {
            for (String uid : c.uids()) {
                if (uid.equals(legUid)) {
                    continue;
                }
                c.member(uid).flatMap(m -> m.transport().preferred(MediaKind.AUDIO)).ifPresent(codec -> {
                    if (!record.appCodec().equals(java.util.Optional.of(codec.name()))) {
                        record = record.withCodecs(codec.name(), record.sipCodec().orElse(null));
                        ctx.calls().updated(record);
                        log.info("call {}: app leg {} speaks {}, SIP leg {}: audio {}", id, LogSafe.of(uid), codec.name(),
                                record.sipCodec().orElse("?"), c.mixing() ? "mixed (conference)" : c.passthrough() ? "passed through" : c.transcoding() ? "transcoded" : "not bridged");
                    }
                });
            }
        });
    }

    protected void markAnswered() {
        if (!answered) {
            answered = true;
            record = record.answered(ctx.clock().instant());
            ctx.calls().updated(record);
        }
    }

    /** Ends the call once: leaves the channel, tells the app if it was talking, records why. */
    protected void finish(String reason, RtmClient notifier) {
        if (ended) {
            return;
        }
        ended = true;
        if ((answered || appInCall) && notifier != null) {
            // EndCall first, so the app learns that the other side hung up before it sees the leg leave
            notifier.sendMessageToPeer(appUid, GatewayMessages.endCall())
                    .orTimeout(2, java.util.concurrent.TimeUnit.SECONDS)
                    .whenComplete((ok, e) -> executor.execute(() -> leaveChannel(reason)));
        } else {
            leaveChannel(reason);
        }
        ctx.calls().ended(record.ended(ctx.clock().instant(), reason));
        ctx.live().remove(this);
        log.info("call {} ended: {}", id, LogSafe.of(reason));
        onFinished();
    }

    private void leaveChannel(String reason) {
        if (leg != null) {
            ctx.channels().leave(channelId, legUid, reason);
            leg.close();
            leg = null;
        }
    }

    /** Hook for the direction's own clean-up (after the record is closed). */
    protected void onFinished() {}
}
