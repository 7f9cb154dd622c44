package io.srproxy.media.rtp;

/**
 * Finds one element of an RTP header extension block (RFC 8285: one-byte form 0xBEDE, two-byte
 * form 0x100X) in place, without allocating: the media path calls it per packet.
 */
public final class RtpHeaderExtensions {

    private RtpHeaderExtensions() {}

    /**
     * The element {@code id} of the packet at {@code off}: its data offset in the high 32 bits and
     * its length in the low 32 ({@link #offset}, {@link #length}), or -1 when the packet has no
     * such element or its extension block is malformed.
     */
    public static long find(byte[] b, int off, int len, int id) {
        if (id <= 0 || len < RtpHeader.FIXED_HEADER_LENGTH || !RtpHeader.extension(b, off)) {
            return -1;
        }
        int p = off + RtpHeader.FIXED_HEADER_LENGTH + 4 * RtpHeader.csrcCount(b, off);
        if (p + 4 > off + len) {
            return -1;
        }
        int profile = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
        int end = p + 4 + 4 * (((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF));
        if (end > off + len) {
            return -1;
        }
        p += 4;
        if (profile == 0xBEDE) {
            while (p < end) {
                int h = b[p] & 0xFF;
                if (h == 0) {
                    p++; // padding
                    continue;
                }
                int elementId = h >>> 4;
                if (elementId == 15) {
                    return -1; // reserved: stop reading (RFC 8285 4.2)
                }
                int l = (h & 0x0F) + 1;
                if (p + 1 + l > end) {
                    return -1;
                }
                if (elementId == id) {
                    return ((long) (p + 1) << 32) | l;
                }
                p += 1 + l;
            }
        } else if ((profile & 0xFFF0) == 0x1000) {
            while (p < end) {
                int elementId = b[p] & 0xFF;
                if (elementId == 0) {
                    p++; // padding
                    continue;
                }
                if (p + 2 > end) {
                    return -1;
                }
                int l = b[p + 1] & 0xFF;
                if (p + 2 + l > end) {
                    return -1;
                }
                if (elementId == id) {
                    return ((long) (p + 2) << 32) | l;
                }
                p += 2 + l;
            }
        }
        return -1;
    }

    public static int offset(long found) {
        return (int) (found >>> 32);
    }

    public static int length(long found) {
        return (int) found;
    }

    /** True when the element at {@code found} holds exactly the ASCII text {@code s} (a rid, a mid). */
    public static boolean equalsAscii(byte[] b, long found, String s) {
        int p = offset(found);
        int l = length(found);
        if (l != s.length()) {
            return false;
        }
        for (int i = 0; i < l; i++) {
            if (b[p + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
