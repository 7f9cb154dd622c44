package io.srproxy.media.rtp;

/**
 * Reads and rewrites RTP fixed headers (RFC 3550 section 5.1) in place, on the caller's buffer,
 * without allocating: the media path calls these per packet.
 */
public final class RtpHeader {

    public static final int FIXED_HEADER_LENGTH = 12;

    private RtpHeader() {}

    /** Plausible RTP: version 2, long enough for its header, and not RTCP (RFC 5761 section 4). */
    public static boolean isRtp(byte[] b, int off, int len) {
        if (len < FIXED_HEADER_LENGTH || (b[off] & 0xC0) != 0x80) {
            return false;
        }
        int pt = b[off + 1] & 0xFF;
        if (pt >= 192 && pt <= 223) {
            return false; // RTCP packet types 192..223 when muxed
        }
        return headerLength(b, off, len) <= len;
    }

    /** RTCP (RFC 5761): version 2 and a packet type in 192..223. */
    public static boolean isRtcp(byte[] b, int off, int len) {
        if (len < 8 || (b[off] & 0xC0) != 0x80) {
            return false;
        }
        int pt = b[off + 1] & 0xFF;
        return pt >= 192 && pt <= 223;
    }

    public static boolean padding(byte[] b, int off) {
        return (b[off] & 0x20) != 0;
    }

    public static boolean extension(byte[] b, int off) {
        return (b[off] & 0x10) != 0;
    }

    public static int csrcCount(byte[] b, int off) {
        return b[off] & 0x0F;
    }

    public static boolean marker(byte[] b, int off) {
        return (b[off + 1] & 0x80) != 0;
    }

    public static int payloadType(byte[] b, int off) {
        return b[off + 1] & 0x7F;
    }

    public static int sequence(byte[] b, int off) {
        return ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    public static long timestamp(byte[] b, int off) {
        return readUint32(b, off + 4);
    }

    public static long ssrc(byte[] b, int off) {
        return readUint32(b, off + 8);
    }

    /** Fixed header + CSRCs + header extension, or {@code Integer.MAX_VALUE} when truncated. */
    public static int headerLength(byte[] b, int off, int len) {
        int n = FIXED_HEADER_LENGTH + 4 * csrcCount(b, off);
        if (extension(b, off)) {
            if (n + 4 > len) {
                return Integer.MAX_VALUE;
            }
            int words = ((b[off + n + 2] & 0xFF) << 8) | (b[off + n + 3] & 0xFF);
            n += 4 + 4 * words;
        }
        return n;
    }

    /** Payload length: the packet minus header and padding; negative when malformed. */
    public static int payloadLength(byte[] b, int off, int len) {
        int header = headerLength(b, off, len);
        if (header > len) {
            return -1;
        }
        int pad = padding(b, off) ? b[off + len - 1] & 0xFF : 0;
        return len - header - pad;
    }

    /**
     * Removes the header extension block in place (the payload moves up, the X bit is cleared);
     * returns the packet's new length, or {@code len} when it has none or is truncated.
     */
    public static int removeExtension(byte[] b, int off, int len) {
        if (!extension(b, off)) {
            return len;
        }
        int start = off + FIXED_HEADER_LENGTH + 4 * csrcCount(b, off);
        int header = headerLength(b, off, len);
        if (header > len) {
            return len;
        }
        int block = off + header - start;
        System.arraycopy(b, off + header, b, start, len - header);
        b[off] = (byte) (b[off] & ~0x10);
        return len - block;
    }

    public static void setMarker(byte[] b, int off, boolean marker) {
        b[off + 1] = (byte) (marker ? b[off + 1] | 0x80 : b[off + 1] & 0x7F);
    }

    public static void setPayloadType(byte[] b, int off, int pt) {
        b[off + 1] = (byte) ((b[off + 1] & 0x80) | (pt & 0x7F));
    }

    public static void setSequence(byte[] b, int off, int seq) {
        b[off + 2] = (byte) (seq >>> 8);
        b[off + 3] = (byte) seq;
    }

    public static void setTimestamp(byte[] b, int off, long ts) {
        writeUint32(b, off + 4, ts);
    }

    public static void setSsrc(byte[] b, int off, long ssrc) {
        writeUint32(b, off + 8, ssrc);
    }

    /** Writes a 12-byte header with no CSRC, extension or padding; returns the payload offset. */
    public static int writeFixed(byte[] b, int off, boolean marker, int pt, int seq, long ts, long ssrc) {
        b[off] = (byte) 0x80;
        b[off + 1] = (byte) ((marker ? 0x80 : 0) | (pt & 0x7F));
        setSequence(b, off, seq);
        setTimestamp(b, off, ts);
        setSsrc(b, off, ssrc);
        return off + FIXED_HEADER_LENGTH;
    }

    public static long readUint32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    public static void writeUint32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
