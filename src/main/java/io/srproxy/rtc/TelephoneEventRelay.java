package io.srproxy.rtc;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.TelephoneEvent;

/**
 * RFC 4733 events from one member re-timed into the receiver's audio stream, for when that
 * stream is not a plain forward of the sender's (the audio is transcoded, or the two sides' event
 * clocks differ). Each event starts where the receiver's next audio frame would, keeps that
 * timestamp for all its packets (section 2.5), has its duration scaled to the receiver's event
 * clock, and its packets take the stream's SSRC and next sequence numbers; the marker goes on the
 * first packet we send of it, the E bit and the sender's retransmitted end packets pass through.
 * Packets arrive on the sender's I/O thread; rewritten in place, nothing allocated.
 */
final class TelephoneEventRelay {

    private final MediaTransport out;
    private final OutboundStream stream;
    private final int payloadType;
    private final int clockRate;
    private long sourceStart = -1;
    private long start;

    /** Events go out as {@code target}, one of the receiver's telephone-event formats. */
    TelephoneEventRelay(PayloadFormat target, MediaTransport out, OutboundStream stream) {
        this.out = out;
        this.stream = stream;
        this.payloadType = target.payloadType();
        this.clockRate = target.clockRate();
    }

    /** One event packet from the sender, whose event clock is {@code sourceRate}. */
    void onRtp(byte[] b, int off, int len, int sourceRate) {
        if (RtpHeader.payloadLength(b, off, len) < TelephoneEvent.PAYLOAD_LENGTH) {
            return;
        }
        int at = off + RtpHeader.headerLength(b, off, len);
        long ts = RtpHeader.timestamp(b, off);
        boolean first = ts != sourceStart;
        if (first && sourceStart >= 0 && (int) (ts - sourceStart) < 0) {
            return; // a late packet of an event already replaced by a newer one
        }
        if (first) {
            sourceStart = ts;
            start = stream.nextFrameTimestamp();
        }
        long duration = Math.min(0xFFFF, (long) TelephoneEvent.duration(b, at) * clockRate / sourceRate);
        TelephoneEvent.write(b, at, TelephoneEvent.event(b, at), TelephoneEvent.end(b, at),
                TelephoneEvent.volume(b, at), (int) duration);
        RtpHeader.setMarker(b, off, first);
        RtpHeader.setPayloadType(b, off, payloadType);
        RtpHeader.setSequence(b, off, stream.nextSequence());
        RtpHeader.setTimestamp(b, off, start);
        RtpHeader.setSsrc(b, off, stream.ssrc());
        out.sendRtp(b, off, len);
        if (TelephoneEvent.end(b, at)) {
            // audio after the event carries on after it, never inside it
            stream.coverUntil((start + duration * stream.clockRate() / clockRate) & 0xFFFFFFFFL);
        }
    }
}
