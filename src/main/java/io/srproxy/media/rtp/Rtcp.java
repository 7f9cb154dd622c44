package io.srproxy.media.rtp;

/**
 * RTCP sender and receiver reports (RFC 3550 section 6.4) with at most one report block, written
 * into and read from the caller's buffer.
 */
public final class Rtcp {

    public static final int SR = 200;
    public static final int RR = 201;
    public static final int BYE = 203;
    /** Seconds between 1900 (NTP epoch) and 1970. */
    private static final long NTP_OFFSET = 2208988800L;

    private Rtcp() {}

    /** One report block about a source we receive. */
    public record ReportBlock(long ssrc, int fractionLost, int cumulativeLost, long extendedHighestSeq,
                              long jitter, long lastSr, long delaySinceLastSr) {}

    /** A parsed SR or RR: the sender and, for SR, its counts. */
    public record Report(int type, long senderSsrc, long packetCount, long octetCount, long ntpMiddle32,
                         ReportBlock block) {}

    /** 64-bit NTP time of a Unix time in milliseconds. */
    public static long ntp(long unixMillis) {
        long seconds = unixMillis / 1000 + NTP_OFFSET;
        long fraction = ((unixMillis % 1000) << 32) / 1000;
        return (seconds << 32) | fraction;
    }

    /** Writes an SR; returns its length. */
    public static int writeSenderReport(byte[] b, int off, long ssrc, long ntp, long rtpTs, long packets,
                                        long octets, ReportBlock block) {
        int count = block == null ? 0 : 1;
        int len = 28 + 24 * count;
        header(b, off, count, SR, len);
        RtpHeader.writeUint32(b, off + 4, ssrc);
        RtpHeader.writeUint32(b, off + 8, ntp >>> 32);
        RtpHeader.writeUint32(b, off + 12, ntp & 0xFFFFFFFFL);
        RtpHeader.writeUint32(b, off + 16, rtpTs);
        RtpHeader.writeUint32(b, off + 20, packets);
        RtpHeader.writeUint32(b, off + 24, octets);
        if (block != null) {
            writeBlock(b, off + 28, block);
        }
        return len;
    }

    /** Writes an RR; returns its length. */
    public static int writeReceiverReport(byte[] b, int off, long ssrc, ReportBlock block) {
        int count = block == null ? 0 : 1;
        int len = 8 + 24 * count;
        header(b, off, count, RR, len);
        RtpHeader.writeUint32(b, off + 4, ssrc);
        if (block != null) {
            writeBlock(b, off + 8, block);
        }
        return len;
    }

    /** The first SR or RR of a compound packet, or null when there is none or it is malformed. */
    public static Report parse(byte[] b, int off, int len) {
        int end = off + len;
        while (off + 8 <= end) {
            if ((b[off] & 0xC0) != 0x80) {
                return null;
            }
            int count = b[off] & 0x1F;
            int type = b[off + 1] & 0xFF;
            int plen = (((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF)) * 4 + 4;
            if (off + plen > end) {
                return null;
            }
            if (type == SR && plen >= 28 + 24 * count) {
                long ntp = (RtpHeader.readUint32(b, off + 8) << 32) | RtpHeader.readUint32(b, off + 12);
                return new Report(SR, RtpHeader.readUint32(b, off + 4), RtpHeader.readUint32(b, off + 20),
                        RtpHeader.readUint32(b, off + 24), (ntp >>> 16) & 0xFFFFFFFFL,
                        count > 0 ? readBlock(b, off + 28) : null);
            }
            if (type == RR && plen >= 8 + 24 * count) {
                return new Report(RR, RtpHeader.readUint32(b, off + 4), 0, 0, 0,
                        count > 0 ? readBlock(b, off + 8) : null);
            }
            off += plen;
        }
        return null;
    }

    private static void header(byte[] b, int off, int count, int type, int len) {
        b[off] = (byte) (0x80 | count);
        b[off + 1] = (byte) type;
        int words = len / 4 - 1;
        b[off + 2] = (byte) (words >>> 8);
        b[off + 3] = (byte) words;
    }

    private static void writeBlock(byte[] b, int off, ReportBlock r) {
        RtpHeader.writeUint32(b, off, r.ssrc());
        int lost = Math.max(-0x800000, Math.min(0x7FFFFF, r.cumulativeLost()));
        RtpHeader.writeUint32(b, off + 4, ((long) (r.fractionLost() & 0xFF) << 24) | (lost & 0xFFFFFF));
        RtpHeader.writeUint32(b, off + 8, r.extendedHighestSeq());
        RtpHeader.writeUint32(b, off + 12, r.jitter());
        RtpHeader.writeUint32(b, off + 16, r.lastSr());
        RtpHeader.writeUint32(b, off + 20, r.delaySinceLastSr());
    }

    private static ReportBlock readBlock(byte[] b, int off) {
        long word = RtpHeader.readUint32(b, off + 4);
        int lost = (int) (word & 0xFFFFFF);
        if ((lost & 0x800000) != 0) {
            lost |= 0xFF000000; // sign-extend the 24-bit count
        }
        return new ReportBlock(RtpHeader.readUint32(b, off), (int) (word >>> 24), lost,
                RtpHeader.readUint32(b, off + 8), RtpHeader.readUint32(b, off + 12),
                RtpHeader.readUint32(b, off + 16), RtpHeader.readUint32(b, off + 20));
    }
}
