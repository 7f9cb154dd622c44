package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusDecoder;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.testsupport.Tones;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A channel of an Opus member and a PCMU member transcodes through 8 kHz PCM with libopus and
 * G.711; each side's tone comes out on the other side in the other codec.
 */
class TranscodingRouteTest {

    private static final PayloadFormat OPUS = PayloadFormat.opus(111);

    @Test
    void opusToneArrivesAsPcmuAndPcmuToneAsOpus() {
        CapturingTransport app = new CapturingTransport(0xA0, OPUS);
        CapturingTransport phone = new CapturingTransport(0xB0, PayloadFormat.PCMU);
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("t", "app", app, e -> {});
        registry.join("t", "phone", phone, e -> {});
        assertThat(registry.channel("t").orElseThrow().transcoding()).isTrue();

        // the app sends 1 s of a 700 Hz tone as Opus (48 kHz, 20 ms frames)
        short[] appTone = Tones.sine(700, 48000, 1.0, 0.5);
        try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
            byte[] out = new byte[1500];
            for (int f = 0; f < 50; f++) {
                int n = enc.encode(appTone, f * 960, 960, out, 12);
                RtpHeader.writeFixed(out, 0, false, 111, f, 960L * f, 0x1234);
                app.receiveRtp(Arrays.copyOf(out, 12 + n));
            }
        }
        assertThat(phone.sentRtp).hasSize(50);
        short[] heard = new short[50 * 160];
        int at = 0;
        for (byte[] p : phone.sentRtp) {
            assertThat(RtpHeader.payloadType(p, 0)).isEqualTo(0);
            assertThat(RtpHeader.ssrc(p, 0)).isEqualTo(0xB0);
            int len = p.length - 12;
            G711.decode(p, 12, heard, at, len, false);
            at += len;
        }
        assertThat(at).isEqualTo(8000);
        assertThat(RtpHeader.timestamp(phone.sentRtp.get(1), 0) - RtpHeader.timestamp(phone.sentRtp.get(0), 0)).isEqualTo(160);
        short[] steady = Arrays.copyOfRange(heard, 1600, at); // past the codec's start-up
        assertThat(Tones.relativePower(steady, 8000, 700)).isGreaterThan(0.8);

        // the phone sends 1 s of a 1200 Hz tone as PCMU (8 kHz, 20 ms)
        short[] phoneTone = Tones.sine(1200, 8000, 1.0, 0.5);
        for (int f = 0; f < 50; f++) {
            byte[] p = new byte[12 + 160];
            RtpHeader.writeFixed(p, 0, false, 0, 7 + f, 160L * f, 0x9999);
            G711.encode(phoneTone, f * 160, p, 12, 160, false);
            phone.receiveRtp(p);
        }
        assertThat(app.sentRtp).hasSize(50);
        short[] appHeard = new short[50 * 160];
        try (OpusDecoder dec = new OpusDecoder(8000)) {
            int pos = 0;
            for (byte[] p : app.sentRtp) {
                assertThat(RtpHeader.payloadType(p, 0)).isEqualTo(111);
                pos += dec.decode(p, 12, p.length - 12, appHeard, pos);
            }
            assertThat(pos).isEqualTo(8000);
        }
        assertThat(RtpHeader.timestamp(app.sentRtp.get(1), 0) - RtpHeader.timestamp(app.sentRtp.get(0), 0)).isEqualTo(960);
        assertThat(Tones.relativePower(Arrays.copyOfRange(appHeard, 1600, 8000), 8000, 1200)).isGreaterThan(0.8);
    }

    @Test
    void sameCodecIsForwardedNotTranscoded() {
        CapturingTransport a = new CapturingTransport(0xA0, PayloadFormat.opus(111));
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.opus(109));
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("f", "a", a, e -> {});
        registry.join("f", "b", b, e -> {});
        assertThat(registry.channel("f").orElseThrow().transcoding()).isFalse();
        byte[] p = new byte[12 + 33];
        RtpHeader.writeFixed(p, 0, true, 111, 1, 960, 0x1234);
        p[12] = 42;
        a.receiveRtp(p);
        assertThat(b.sentRtp).hasSize(1);
        byte[] out = b.sentRtp.get(0);
        assertThat(RtpHeader.payloadType(out, 0)).isEqualTo(109); // mapped to the receiver's payload type
        assertThat(RtpHeader.ssrc(out, 0)).isEqualTo(0xB0);
        assertThat(RtpHeader.marker(out, 0)).isTrue();
        assertThat(Arrays.copyOfRange(out, 12, out.length)).isEqualTo(Arrays.copyOfRange(p, 12, p.length));
        // an unknown payload type is dropped
        RtpHeader.setPayloadType(p, 0, 100);
        a.receiveRtp(p);
        assertThat(b.sentRtp).hasSize(1);
    }

    @Test
    void aNewPeerContinuesTheReceiversStream() {
        CapturingTransport a = new CapturingTransport(0xA0, PayloadFormat.PCMU);
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.PCMU);
        CapturingTransport c = new CapturingTransport(0xC0, PayloadFormat.PCMU);
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("s", "a", a, e -> {});
        registry.join("s", "b", b, e -> {});
        byte[] p = new byte[12 + 160];
        RtpHeader.writeFixed(p, 0, false, 0, 500, 80_000, 0xBBBB);
        b.receiveRtp(p);
        registry.leave("s", "b", "leave");
        registry.join("s", "c", c, e -> {});
        RtpHeader.writeFixed(p, 0, false, 0, 9, 1234, 0xCCCC);
        c.receiveRtp(p);
        assertThat(a.sentRtp).hasSize(2);
        byte[] first = a.sentRtp.get(0);
        byte[] second = a.sentRtp.get(1);
        assertThat(RtpHeader.ssrc(second, 0)).isEqualTo(RtpHeader.ssrc(first, 0)).isEqualTo(0xA0);
        assertThat(RtpHeader.sequence(second, 0)).isEqualTo((RtpHeader.sequence(first, 0) + 1) & 0xFFFF);
        assertThat(RtpHeader.timestamp(second, 0) - RtpHeader.timestamp(first, 0)).isEqualTo(160);
    }

    @Test
    void leavingStopsMediaAndTellsTheOther() {
        CapturingTransport a = new CapturingTransport(0xA0, PayloadFormat.PCMU);
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.PCMU);
        ChannelRegistry registry = new ChannelRegistry();
        java.util.List<RtcEvent> aEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        registry.join("l", "a", a, aEvents::add);
        ChannelRegistry.Joined bJoined = registry.join("l", "b", b, e -> {});
        assertThat(bJoined.others()).containsExactly(new Channel.MemberState("a", false, false));
        registry.channel("l").orElseThrow().publish("b", MediaKind.AUDIO, true);
        registry.channel("l").orElseThrow().mute("b", MediaKind.AUDIO, true);
        assertThat(registry.leave("l", "b", "leave")).isTrue();
        assertThat(aEvents).containsExactly(new RtcEvent.UserJoined("b"), new RtcEvent.UserPublished("b", MediaKind.AUDIO),
                new RtcEvent.UserMuted("b", MediaKind.AUDIO, true), new RtcEvent.UserLeft("b", "leave"));
        byte[] p = new byte[12 + 160];
        RtpHeader.writeFixed(p, 0, false, 0, 1, 160, 1);
        a.receiveRtp(p);
        assertThat(b.sentRtp).isEmpty();
        assertThat(registry.leave("l", "a", "leave")).isTrue();
        assertThat(registry.channel("l")).isEmpty();
    }

    @Test
    void channelIdsAreCheckedWithAClearError() {
        ChannelRegistry registry = new ChannelRegistry();
        CapturingTransport a = new CapturingTransport(1, PayloadFormat.PCMU);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.join("x".repeat(65), "a", a, e -> {}))
                .hasMessageContaining("is 65 bytes; at most 64 bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.join("", "a", a, e -> {}))
                .hasMessageContaining("empty");
        registry.join("x".repeat(64), "a", a, e -> {});
    }
}
