package io.srproxy.rtc;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;

/**
 * Tells whether an RTP packet starts a video key frame, from its payload alone (no allocation):
 * VP8 (RFC 7741) and H.264 (RFC 6184), the video codecs srproxy negotiates. A switch between
 * simulcast layers waits for one, since the receiver cannot decode the new layer before it.
 */
final class VideoKeyFrames {

    static final int OTHER = 0;
    static final int VP8 = 1;
    static final int H264 = 2;

    private VideoKeyFrames() {}

    static int codecType(PayloadFormat c) {
        if (c == null) {
            return OTHER;
        }
        if (c.name().equalsIgnoreCase("VP8")) {
            return VP8;
        }
        return c.name().equalsIgnoreCase("H264") ? H264 : OTHER;
    }

    /** True when the packet starts a key frame of {@code codecType}; false when unsure. */
    static boolean startsKeyFrame(int codecType, byte[] b, int off, int len) {
        int h = RtpHeader.headerLength(b, off, len);
        int end = off + len - (RtpHeader.padding(b, off) ? b[off + len - 1] & 0xFF : 0);
        if (h > len) {
            return false;
        }
        int p = off + h;
        return switch (codecType) {
            case VP8 -> vp8(b, p, end);
            case H264 -> h264(b, p, end);
            default -> false;
        };
    }

    private static boolean vp8(byte[] b, int p, int end) {
        if (p >= end) {
            return false;
        }
        int d = b[p] & 0xFF;
        boolean start = (d & 0x10) != 0 && (d & 0x07) == 0; // S=1, partition 0
        if (!start) {
            return false;
        }
        p++;
        if ((d & 0x80) != 0) { // X: extension byte
            if (p >= end) {
                return false;
            }
            int x = b[p++] & 0xFF;
            if ((x & 0x80) != 0) { // I: picture id, 7 or 15 bits
                if (p >= end) {
                    return false;
                }
                p += (b[p] & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) { // L: TL0PICIDX
                p++;
            }
            if ((x & 0x30) != 0) { // T or K: TID/Y/KEYIDX
                p++;
            }
        }
        return p < end && (b[p] & 0x01) == 0; // VP8 payload header: P=0 is a key frame
    }

    private static boolean h264(byte[] b, int p, int end) {
        if (p >= end) {
            return false;
        }
        int type = b[p] & 0x1F;
        if (type == 5 || type == 7) {
            return true; // IDR slice, or SPS (sent right before one)
        }
        if (type == 24) { // STAP-A: 16-bit size + NAL unit, repeated
            int q = p + 1;
            while (q + 2 < end) {
                int size = ((b[q] & 0xFF) << 8) | (b[q + 1] & 0xFF);
                int t = b[q + 2] & 0x1F;
                if (t == 5 || t == 7) {
                    return true;
                }
                q += 2 + size;
            }
            return false;
        }
        if (type == 28 && p + 1 < end) { // FU-A: start of an IDR slice
            int fu = b[p + 1] & 0xFF;
            return (fu & 0x80) != 0 && (fu & 0x1F) == 5;
        }
        return false;
    }
}
