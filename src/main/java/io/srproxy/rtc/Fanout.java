package io.srproxy.rtc;

import io.srproxy.media.rtp.RtpHeader;

/**
 * One member's packet handler: its RTP goes out on every route from it (a copy per receiver but
 * the last, which takes the packet in place), and its RTCP feedback about a stream it receives
 * (PLI, FIR, NACK naming that stream's SSRC) goes to the route feeding that stream, so the right
 * sender hears it. Built by the channel when membership or subscriptions change, then immutable:
 * the packet path takes no lock and allocates nothing. A member's packets arrive on one I/O
 * thread (the mux keeps a peer on one socket; an RTP session is read by one loop), so one scratch
 * buffer per fanout is enough.
 */
final class Fanout implements PacketHandler {

    private static final int MAX_PACKET = 2048;

    private final MediaRoute[] out;
    private final MediaRoute[] in;
    private final long[] inVideoSsrc;
    private final byte[] scratch;
    private final AudioLevelMeter level;
    private final SimulcastLayers layers;
    private final PacketHandler tap;

    /**
     * @param out the routes from this member, one per receiver
     * @param in  the routes to this member (their video SSRCs are what its feedback names)
     */
    Fanout(MediaRoute[] out, MediaRoute[] in) {
        this(out, in, null, null);
    }

    /**
     * @param self the member whose packets these are: its audio level and simulcast layers are read here
     * @param tap  also sees every RTP packet from this member first, and must not change it (a conference mixer's input), or null
     */
    Fanout(MediaRoute[] out, MediaRoute[] in, Member self, PacketHandler tap) {
        this.level = self == null ? null : self.audioLevel();
        this.layers = self == null ? null : self.simulcast();
        this.tap = tap;
        this.out = out.clone();
        this.in = in.clone();
        this.inVideoSsrc = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            inVideoSsrc[i] = in[i].videoSsrc();
        }
        this.scratch = out.length > 1 ? new byte[MAX_PACKET + MediaTransport.TRAILER_ROOM] : null;
    }

    @Override
    public void onRtp(byte[] b, int off, int len) {
        if (tap != null) {
            tap.onRtp(b, off, len);
        }
        if (level != null) {
            level.onRtp(b, off, len);
            layers.onRtp(b, off, len);
        }
        int pt = RtpHeader.payloadType(b, off);
        int last = -1;
        for (int i = out.length - 1; i >= 0; i--) {
            if (out[i].takes(pt)) {
                last = i;
                break;
            }
        }
        if (last < 0) {
            return;
        }
        for (int i = 0; i < last; i++) {
            if (out[i].takes(pt) && len <= MAX_PACKET) {
                System.arraycopy(b, off, scratch, 0, len);
                out[i].onRtp(scratch, 0, len);
            }
        }
        out[last].onRtp(b, off, len);
    }

    @Override
    public void onRtcp(byte[] b, int off, int len) {
        int p = off;
        int end = off + len;
        while (p + 12 <= end) {
            int words = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
            int pt = b[p + 1] & 0xFF;
            int fmt = b[p] & 0x1F;
            int next = p + 4 + 4 * words;
            if (next > end) {
                return; // truncated compound packet
            }
            if (pt == MediaRoute.PT_PSFB && fmt == MediaRoute.FMT_PLI) {
                MediaRoute r = feeding(RtpHeader.readUint32(b, p + 8));
                if (r != null) {
                    r.requestKeyFrame(false);
                }
            } else if (pt == MediaRoute.PT_PSFB && fmt == MediaRoute.FMT_FIR && words >= 4) {
                MediaRoute r = feeding(RtpHeader.readUint32(b, p + 12)); // FCI: the SSRC asked
                if (r != null) {
                    r.requestKeyFrame(true);
                }
            } else if (pt == MediaRoute.PT_RTPFB && fmt == MediaRoute.FMT_NACK && words >= 3) {
                MediaRoute r = feeding(RtpHeader.readUint32(b, p + 8));
                if (r != null) {
                    r.passNack(b, p, next - p);
                }
            }
            p = next;
        }
    }

    /**
     * The route feeding the video stream {@code ssrc} names; with one route in, that one whatever
     * the SSRC says (a single-stream peer that leaves the media SSRC 0 still gets key frames).
     */
    private MediaRoute feeding(long ssrc) {
        for (int i = 0; i < in.length; i++) {
            if (inVideoSsrc[i] == ssrc) {
                return in[i];
            }
        }
        return in.length == 1 ? in[0] : null;
    }
}
