package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusDecoder;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.testsupport.Tones;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A channel with phones in a group, through the real clock: two apps (Opus, multistream) and two
 * phones (PCMU, PCMA) each send a tone; each phone hears the three others but not itself, each app
 * gets each phone's tone on the stream it subscribed; 20 joins and leaves of a phone leave no
 * mixer behind and the 1:1 call goes on.
 */
class ConferenceChannelTest {

    private static final PayloadFormat OPUS = PayloadFormat.opus(111);
    private static final int FRAMES = 75;

    private final ChannelRegistry registry = new ChannelRegistry(8);

    private Channel channel() {
        return registry.channel("conf").orElseThrow();
    }

    private static List<byte[]> tone(PayloadFormat codec, double hz, long ssrc) {
        List<byte[]> list = new ArrayList<>();
        if (codec.isOpus()) {
            short[] pcm = Tones.sine(hz, 48000, FRAMES / 50.0, 0.25);
            try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
                byte[] out = new byte[1500];
                for (int f = 0; f < FRAMES; f++) {
                    int n = enc.encode(pcm, f * 960, 960, out, 12);
                    RtpHeader.writeFixed(out, 0, false, codec.payloadType(), f, 960L * f, ssrc);
                    list.add(Arrays.copyOf(out, 12 + n));
                }
            }
        } else {
            short[] pcm = Tones.sine(hz, 8000, FRAMES / 50.0, 0.25);
            for (int f = 0; f < FRAMES; f++) {
                byte[] p = new byte[12 + 160];
                RtpHeader.writeFixed(p, 0, false, codec.payloadType(), f, 160L * f, ssrc);
                G711.encode(pcm, f * 160, p, 12, 160, codec.name().equals("PCMA"));
                list.add(p);
            }
        }
        return list;
    }

    private static short[] decode(List<byte[]> packets, PayloadFormat codec, long ssrc) {
        short[] pcm = new short[packets.size() * 960 + 1];
        int at = 0;
        try (OpusDecoder d = new OpusDecoder(8000)) {
            for (byte[] p : packets) {
                if (RtpHeader.ssrc(p, 0) != ssrc) {
                    continue;
                }
                if (codec.isOpus()) {
                    at += Math.max(0, d.decode(p, 12, p.length - 12, pcm, at));
                } else {
                    G711.decode(p, 12, pcm, at, p.length - 12, codec.name().equals("PCMA"));
                    at += p.length - 12;
                }
            }
        }
        return Arrays.copyOfRange(pcm, Math.min(at, 2400), at); // past the prebuffer and codec start-up
    }

    @Test
    void phonesHearTheMixOfTheOthersAndAppsHearEachPhone() throws Exception {
        CapturingTransport a = new CapturingTransport(0xA0, OPUS);
        CapturingTransport b = new CapturingTransport(0xB0, OPUS);
        CapturingTransport p = CapturingTransport.phone(0xC0, PayloadFormat.PCMU);
        CapturingTransport q = CapturingTransport.phone(0xD0, PayloadFormat.PCMA);
        registry.join("conf", "a", a, e -> {}, true);
        registry.join("conf", "p", p, e -> {});
        registry.join("conf", "b", b, e -> {}, true);
        registry.join("conf", "q", q, e -> {});
        assertThat(channel().mixing()).isTrue();
        long aFromP = channel().subscribe("a", List.of(new Member.Want("1", MediaKind.AUDIO, "p"),
                new Member.Want("2", MediaKind.AUDIO, "q"), new Member.Want("3", MediaKind.AUDIO, "b"))).get(0).ssrc();
        long bFromQ = channel().subscribe("b", List.of(new Member.Want("1", MediaKind.AUDIO, "p"),
                new Member.Want("2", MediaKind.AUDIO, "q"), new Member.Want("3", MediaKind.AUDIO, "a"))).get(1).ssrc();

        List<byte[]> ta = tone(OPUS, 500, 0x1);
        List<byte[]> tb = tone(OPUS, 800, 0x2);
        List<byte[]> tp = tone(PayloadFormat.PCMU, 1100, 0x3);
        List<byte[]> tq = tone(PayloadFormat.PCMA, 1700, 0x4);
        for (int f = 0; f < FRAMES; f++) {
            a.receiveRtp(ta.get(f));
            b.receiveRtp(tb.get(f));
            p.receiveRtp(tp.get(f));
            q.receiveRtp(tq.get(f));
            Thread.sleep(20);
        }
        Thread.sleep(200);

        short[] pHeard = decode(p.sentRtp, PayloadFormat.PCMU, 0xC0);
        short[] qHeard = decode(q.sentRtp, PayloadFormat.PCMA, 0xD0);
        assertThat(pHeard.length).isGreaterThan(4000);
        for (double hz : new double[] {500, 800, 1700}) {
            assertThat(Tones.relativePower(pHeard, 8000, hz)).as("phone p hears %s Hz", hz).isGreaterThan(0.1);
        }
        assertThat(Tones.relativePower(pHeard, 8000, 1100)).as("phone p hears itself").isLessThan(0.02);
        for (double hz : new double[] {500, 800, 1100}) {
            assertThat(Tones.relativePower(qHeard, 8000, hz)).as("phone q hears %s Hz", hz).isGreaterThan(0.1);
        }
        assertThat(Tones.relativePower(qHeard, 8000, 1700)).as("phone q hears itself").isLessThan(0.02);
        assertThat(Tones.relativePower(decode(a.sentRtp, OPUS, aFromP), 8000, 1100)).isGreaterThan(0.7);
        assertThat(Tones.relativePower(decode(b.sentRtp, OPUS, bFromQ), 8000, 1700)).isGreaterThan(0.7);
        // the apps still take each other from the SFU (forwarded as they are)
        assertThat(channel().routeCount()).isEqualTo(2);
    }

    @Test
    void joinsAndLeavesOfAPhoneLeaveNoMixerBehind() {
        CapturingTransport a = new CapturingTransport(0xA0, OPUS);
        CapturingTransport b = new CapturingTransport(0xB0, OPUS);
        CapturingTransport p = CapturingTransport.phone(0xC0, PayloadFormat.PCMU);
        registry.join("conf", "a", a, e -> {}, true);
        registry.join("conf", "p", p, e -> {});
        for (int i = 0; i < 20; i++) {
            registry.join("conf", "b", b, e -> {}, true);
            assertThat(channel().mixing()).isTrue();
            assertThat(registry.workers().mixerClock().liveMixers()).isEqualTo(1);
            registry.leave("conf", "b", "bye");
            assertThat(channel().mixing()).isFalse();
        }
        for (int i = 0; i < 20; i++) {
            CapturingTransport q = CapturingTransport.phone(0xD0 + i, PayloadFormat.PCMU);
            registry.join("conf", "b", b, e -> {}, true);
            registry.join("conf", "q" + i, q, e -> {});
            registry.leave("conf", "q" + i, "bye");
            registry.leave("conf", "b", "bye");
        }
        assertThat(registry.workers().mixerClock().liveMixers()).isZero();
        assertThat(channel().uids()).containsExactly("a", "p");
        assertThat(channel().transcoding()).isTrue(); // the 1:1 call is back on its route
        registry.leave("conf", "a", "bye");
        registry.leave("conf", "p", "bye");
        assertThat(registry.size()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.workers().mixerClock().liveMixers() == 0);
    }

    /**
     * The mixer has no G.722: a third member of a 1:1 call whose phone speaks G.722 is refused with
     * {@code conference-codec}, and the call goes on as it was (passed through); a G.722 phone
     * joining two apps is refused too.
     */
    @Test
    void aThirdMemberIsRefusedWhenThePhoneSpeaksG722() {
        CapturingTransport app = new CapturingTransport(0xA0, PayloadFormat.G722); // took the phone's G.722 (passthrough)
        CapturingTransport phone = CapturingTransport.phone(0xC0, PayloadFormat.G722);
        registry.join("conf", "a", app, e -> {}, true);
        registry.join("conf", "sip~1005", phone, e -> {});
        assertThat(channel().passthrough()).isTrue();

        CapturingTransport b = new CapturingTransport(0xB0, OPUS);
        assertThatThrownBy(() -> registry.join("conf", "b", b, e -> {}, true))
                .isInstanceOfSatisfying(RtcException.class, e -> assertThat(e.code()).isEqualTo("conference-codec"))
                .hasMessageContaining("the phone sip~1005 speaks G722, which srproxy cannot mix");
        assertThat(channel().uids()).containsExactly("a", "sip~1005");
        assertThat(channel().mixing()).isFalse();
        assertThat(channel().passthrough()).isTrue();
        assertThat(registry.workers().mixerClock().liveMixers()).isZero();

        registry.leave("conf", "sip~1005", "bye");
        registry.join("conf", "b", b, e -> {}, true);
        CapturingTransport hd = CapturingTransport.phone(0xD0, PayloadFormat.G722);
        assertThatThrownBy(() -> registry.join("conf", "sip~1006", hd, e -> {}))
                .isInstanceOfSatisfying(RtcException.class, e -> assertThat(e.code()).isEqualTo("conference-codec"));
        assertThat(channel().uids()).containsExactly("a", "b");
        registry.leave("conf", "a", "bye");
        registry.leave("conf", "b", "bye");
        assertThat(registry.size()).isZero();
    }
}
