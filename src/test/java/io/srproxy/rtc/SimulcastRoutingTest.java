package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dual stream: a sender's two simulcast layers (told apart by the rid its packets carry), of
 * which a receiver gets one on its one stream, high by default; setRemoteVideoStreamType switches
 * at the next key frame of the other layer (asked for with a PLI naming that layer's SSRC), and
 * the receiver's SSRC, sequence numbers and timestamps carry on across the switch.
 */
class SimulcastRoutingTest {

    private static final PayloadFormat VP8 = new PayloadFormat(96, "VP8", 90000, 1, "");
    private static final long HIGH = 0x1000;
    private static final long LOW = 0x2000;

    /** A VP8 packet of a layer: rid in a one-byte extension (id 10), key frame or not. */
    static byte[] vp8(long ssrc, int seq, long ts, String rid, boolean key) {
        byte[] p = new byte[12 + 8 + 4];
        RtpHeader.writeFixed(p, 0, false, 96, seq, ts, ssrc);
        p[0] |= 0x10;
        p[12] = (byte) 0xBE;
        p[13] = (byte) 0xDE;
        p[15] = 1;
        p[16] = (byte) 0xA0; // id 10, length 1
        p[17] = (byte) rid.charAt(0);
        p[20] = 0x10; // VP8 descriptor: S=1, partition 0
        p[21] = (byte) (key ? 0x00 : 0x01); // payload header: P=0 is a key frame
        p[22] = (byte) rid.charAt(0); // in the payload too: forwarded video loses its extension block
        return p;
    }

    @Test
    void theReceiverGetsOneLayerAndSwitchesAtAKeyFrame() {
        ChannelRegistry registry = new ChannelRegistry(5);
        CapturingTransport a = new CapturingTransport(0xA0, PayloadFormat.opus(111), VP8);
        a.extensions = new RtpExtensions(0, 10, List.of("h", "l"));
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.opus(111), VP8);
        registry.join("room", "a", a, e -> {}, true);
        registry.join("room", "b", b, e -> {}, true);
        Channel ch = registry.channel("room").orElseThrow();
        long stream = ch.subscribe("b", List.of(new Member.Want("1", MediaKind.VIDEO, "a"))).get(0).ssrc();

        int seq = 100;
        long ts = 9000;
        // delta frames before any key frame: nothing yet, and the high layer's key frame is asked for
        a.receiveRtp(vp8(HIGH, seq, ts, "h", false));
        a.receiveRtp(vp8(LOW, 5000 + seq, 70000 + ts, "l", false));
        assertThat(b.sentRtp).isEmpty();
        assertThat(a.sentRtcp).isNotEmpty();
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(0), 8)).isEqualTo(HIGH);
        a.sentRtcp.clear();
        // the high layer's key frame starts the stream; the low layer is not forwarded
        for (int i = 0; i < 3; i++) {
            seq++;
            ts += 3000;
            a.receiveRtp(vp8(HIGH, seq, ts, "h", i == 0));
            a.receiveRtp(vp8(LOW, 5000 + seq, 70000 + ts, "l", false));
        }
        assertThat(b.sentRtp).hasSize(3).allMatch(p -> RtpHeader.ssrc(p, 0) == stream);
        assertThat(a.sentRtcp).isEmpty(); // settled: no key frame requests

        // b asks for the low layer: a PLI for it, the high layer goes on until the low key frame
        ch.setRemoteVideoStreamType("b", "a", SimulcastLayers.LOW);
        assertThat(a.sentRtcp).hasSize(1);
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(0), 8)).isEqualTo(LOW);
        seq++;
        ts += 3000;
        a.receiveRtp(vp8(HIGH, seq, ts, "h", false));
        a.receiveRtp(vp8(LOW, 5000 + seq, 70000 + ts, "l", true));
        a.receiveRtp(vp8(HIGH, seq + 1, ts + 3000, "h", false));
        a.receiveRtp(vp8(LOW, 5000 + seq + 1, 70000 + ts + 3000, "l", false));
        assertThat(b.sentRtp).hasSize(6);
        List<byte[]> out = b.sentRtp;
        // forwarded without the sender's extensions (its mid and rid mean nothing to the receiver)
        assertThat(out).allMatch(p -> !RtpHeader.extension(p, 0) && p.length == 16);
        assertThat(out.get(4)[13]).isEqualTo((byte) 0x00); // the low key frame
        assertThat(out.get(5)[14]).isEqualTo((byte) 'l');
        for (int i = 1; i < out.size(); i++) {
            assertThat(RtpHeader.ssrc(out.get(i), 0)).isEqualTo(stream);
            assertThat((RtpHeader.sequence(out.get(i), 0) - RtpHeader.sequence(out.get(i - 1), 0)) & 0xFFFF).isEqualTo(1);
            assertThat(RtpHeader.timestamp(out.get(i), 0) - RtpHeader.timestamp(out.get(i - 1), 0)).isPositive();
        }

        // back to high; a route made anew (resubscription) keeps the choice
        ch.setRemoteVideoStreamType("b", "a", SimulcastLayers.HIGH);
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(a.sentRtcp.size() - 1), 8)).isEqualTo(HIGH);
        a.receiveRtp(vp8(HIGH, seq + 2, ts + 6000, "h", true));
        assertThat(b.sentRtp.get(b.sentRtp.size() - 1)[14]).isEqualTo((byte) 'h');
        ch.setRemoteVideoStreamType("b", "a", SimulcastLayers.LOW);
        ch.subscribe("b", List.of());
        ch.subscribe("b", List.of(new Member.Want("1", MediaKind.VIDEO, "a")));
        int before = b.sentRtp.size();
        a.receiveRtp(vp8(HIGH, seq + 3, ts + 9000, "h", true));
        a.receiveRtp(vp8(LOW, 5000 + seq + 3, 70000 + ts + 9000, "l", true));
        assertThat(b.sentRtp).hasSize(before + 1);
        assertThat(b.sentRtp.get(before)[14]).isEqualTo((byte) 'l');
    }

    @Test
    void keyFramesAreRecognised() {
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.VP8, vp8(1, 1, 0, "h", true), 0, 24)).isTrue();
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.VP8, vp8(1, 1, 0, "h", false), 0, 24)).isFalse();
        // VP8 with the X byte, a 15-bit picture id and TL0PICIDX
        byte[] p = new byte[12 + 6];
        RtpHeader.writeFixed(p, 0, false, 96, 1, 0, 1);
        p[12] = (byte) 0x90;
        p[13] = (byte) 0xC0;
        p[14] = (byte) 0x81;
        p[15] = 0x23;
        p[16] = 5;
        p[17] = 0x00;
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.VP8, p, 0, p.length)).isTrue();
        p[12] = (byte) 0x80; // not a partition start
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.VP8, p, 0, p.length)).isFalse();
        // H.264: STAP-A with SPS, FU-A start of an IDR slice, a non-IDR slice
        byte[] h = new byte[12 + 8];
        RtpHeader.writeFixed(h, 0, false, 102, 1, 0, 1);
        h[12] = 24;
        h[13] = 0;
        h[14] = 2;
        h[15] = 0x67;
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.H264, h, 0, h.length)).isTrue();
        h[12] = 28;
        h[13] = (byte) 0x85;
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.H264, h, 0, h.length)).isTrue();
        h[12] = 1;
        assertThat(VideoKeyFrames.startsKeyFrame(VideoKeyFrames.H264, h, 0, h.length)).isFalse();
    }
}
