package io.srproxy.media.rtp;

/**
 * What we know about the stream we receive, for RTCP report blocks (RFC 3550 appendix A.1, A.3,
 * A.8). Updated on the I/O thread only; read by the RTCP timer (values may lag one packet).
 */
final class RtpReceiveStats {

    private long ssrc = -1;
    private int maxSeq;
    private long cycles;
    private long baseSeq;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private double jitter;
    private long lastTransit;
    private boolean haveTransit;
    private volatile long lastSrMiddle;
    private volatile long lastSrArrivalNanos;

    void onPacket(long packetSsrc, int seq, long rtpTs, long arrivalInClockUnits) {
        if (packetSsrc != ssrc) {
            ssrc = packetSsrc;
            baseSeq = seq;
            maxSeq = seq;
            cycles = 0;
            received = 0;
            expectedPrior = 0;
            receivedPrior = 0;
            haveTransit = false;
            jitter = 0;
        }
        int delta = (seq - maxSeq) & 0xFFFF;
        if (delta < 0x8000) {
            if (seq < maxSeq) {
                cycles += 0x10000;
            }
            maxSeq = seq;
        }
        received++;
        long transit = arrivalInClockUnits - rtpTs;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
        haveTransit = true;
    }

    void onSenderReport(long ntpMiddle32, long nowNanos) {
        lastSrMiddle = ntpMiddle32;
        lastSrArrivalNanos = nowNanos;
    }

    long received() {
        return received;
    }

    /** A report block about the current source, or null before the first packet. */
    Rtcp.ReportBlock block(long nowNanos) {
        if (ssrc < 0) {
            return null;
        }
        long extendedMax = cycles + maxSeq;
        long expected = extendedMax - baseSeq + 1;
        long lost = expected - received;
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
        long dlsr = 0;
        if (lastSrArrivalNanos != 0) {
            dlsr = ((nowNanos - lastSrArrivalNanos) * 65536L) / 1_000_000_000L; // units of 1/65536 s
        }
        return new Rtcp.ReportBlock(ssrc, Math.min(fraction, 255), (int) lost, extendedMax & 0xFFFFFFFFL,
                (long) jitter, lastSrMiddle, dlsr);
    }
}
