package io.srproxy.rtc;

import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.RtpHeaderExtensions;
import java.util.List;

/**
 * A member's simulcast video ("dual stream"): which SSRC carries which layer, learned from the
 * RTP stream id (RFC 8852) its packets carry until the SSRC is known. Layer 0 is the high one, 1
 * the low one (the order of the answered rids). Learned on the I/O thread that reads the member,
 * without lock or allocation; read there by routes, and by the signalling when it asks for a key
 * frame of a layer.
 */
public final class SimulcastLayers {

    public static final int HIGH = 0;
    public static final int LOW = 1;

    private final MediaTransport transport;
    private volatile long highSsrc = -1;
    private volatile long lowSsrc = -1;

    SimulcastLayers(MediaTransport transport) {
        this.transport = transport;
    }

    /** True when the member's video comes as simulcast layers. */
    boolean active() {
        return transport.receivedExtensions().simulcast();
    }

    /** A packet from the member: an rtp-stream-id element names its SSRC's layer. */
    void onRtp(byte[] b, int off, int len) {
        RtpExtensions ext = transport.receivedExtensions();
        if (!ext.simulcast() || !RtpHeader.extension(b, off)) {
            return;
        }
        long found = RtpHeaderExtensions.find(b, off, len, ext.ridId());
        if (found < 0) {
            return;
        }
        List<String> rids = ext.rids();
        long ssrc = RtpHeader.ssrc(b, off);
        if (RtpHeaderExtensions.equalsAscii(b, found, rids.get(HIGH))) {
            if (highSsrc != ssrc) {
                highSsrc = ssrc;
            }
        } else if (RtpHeaderExtensions.equalsAscii(b, found, rids.get(LOW))) {
            if (lowSsrc != ssrc) {
                lowSsrc = ssrc;
            }
        }
    }

    /** The layer {@code ssrc} carries, or -1 when not (yet) known. */
    int layerOf(long ssrc) {
        if (ssrc == highSsrc) {
            return HIGH;
        }
        return ssrc == lowSsrc ? LOW : -1;
    }

    /** The SSRC of {@code layer}, or -1 when not seen yet. */
    long ssrc(int layer) {
        return layer == HIGH ? highSsrc : lowSsrc;
    }
}
