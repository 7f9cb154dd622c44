package io.srproxy.rtc;

import io.srproxy.media.rtp.RtpHeader;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One continuous RTP stream towards a receiver: whatever source SSRC feeds it, packets leave with
 * our SSRC and with sequence numbers and timestamps that carry on from the last packet sent
 * (RFC 7667 "media switching"). A source's packets arrive on one I/O thread (the mux keeps a
 * peer on one socket); per packet this only adds two offsets.
 */
final class OutboundStream {

    private final long ssrc;
    private final int clockRate;
    private volatile long sourceSsrc = -1;
    private volatile int seqDelta;
    private volatile long tsDelta;
    private volatile int lastSeq = ThreadLocalRandom.current().nextInt(0x8000);
    private volatile long lastTs = ThreadLocalRandom.current().nextInt() & 0x7FFFFFFFL;

    OutboundStream(long ssrc, int clockRate) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    long ssrc() {
        return ssrc;
    }

    /** The SSRC of the source currently feeding this stream, or -1. */
    long sourceSsrc() {
        return sourceSsrc;
    }

    /** Rewrites SSRC, sequence, timestamp and payload type of the packet at {@code off} in place. */
    void rewrite(byte[] b, int off, int payloadType) {
        long src = RtpHeader.ssrc(b, off);
        int seq = RtpHeader.sequence(b, off);
        long ts = RtpHeader.timestamp(b, off);
        if (src != sourceSsrc) {
            // a new source continues the stream one packet (20 ms) after the last one sent
            seqDelta = (lastSeq + 1 - seq) & 0xFFFF;
            tsDelta = (lastTs + clockRate / 50 - ts) & 0xFFFFFFFFL;
            sourceSsrc = src;
        }
        int outSeq = (seq + seqDelta) & 0xFFFF;
        long outTs = (ts + tsDelta) & 0xFFFFFFFFL;
        lastSeq = outSeq;
        lastTs = outTs;
        RtpHeader.setSequence(b, off, outSeq);
        RtpHeader.setTimestamp(b, off, outTs);
        RtpHeader.setSsrc(b, off, ssrc);
        RtpHeader.setPayloadType(b, off, payloadType);
    }

    /** The source's sequence number of a packet this stream sent as {@code outSeq} (for NACKs). */
    int sourceSequence(int outSeq) {
        return (outSeq - seqDelta) & 0xFFFF;
    }

    /**
     * Next sequence number for a packet we make ourselves (transcoding, re-timed events); a
     * forwarded packet after it re-anchors its offsets, so the numbers never collide.
     */
    int nextSequence() {
        int s = (lastSeq + 1) & 0xFFFF;
        lastSeq = s;
        sourceSsrc = -1;
        return s;
    }

    /** The timestamp the next 20 ms frame would carry: where an event we re-time starts. */
    long nextFrameTimestamp() {
        return (lastTs + clockRate / 50) & 0xFFFFFFFFL;
    }

    /** Moves the stream's time on to {@code ts} unless it is already there (an event's end). */
    void coverUntil(long ts) {
        if ((int) (ts - lastTs) > 0) {
            lastTs = ts;
            sourceSsrc = -1;
        }
    }

    int clockRate() {
        return clockRate;
    }

    long advanceTimestamp(int samples) {
        long t = (lastTs + samples) & 0xFFFFFFFFL;
        lastTs = t;
        sourceSsrc = -1; // a forwarded packet after this one recomputes its offsets
        return t;
    }
}
