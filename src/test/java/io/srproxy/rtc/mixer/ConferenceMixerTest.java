package io.srproxy.rtc.mixer;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusDecoder;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.testsupport.Tones;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mixer on its own, ticked by hand: two phones (PCMU, PCMA) and an app (Opus) each send a
 * tone; each phone hears the two others and not itself, the app gets each phone's tone alone,
 * sums saturate, and packets that arrive in bursts around the tick are not lost.
 */
class ConferenceMixerTest {

    private static final PayloadFormat OPUS = PayloadFormat.opus(111);
    private static final int FRAMES = 50;

    /** What an output received: payloads in order. */
    private static final class Capture implements ConferenceMixer.Output {
        final List<byte[]> payloads = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        int lastStep;

        @Override
        public void send(byte[] packet, int off, int len, int payloadType, int timestampStep) {
            payloads.add(Arrays.copyOfRange(packet, off, off + len));
            types.add(payloadType);
            lastStep = timestampStep;
        }

        short[] decode(PayloadFormat c) {
            short[] pcm = new short[payloads.size() * 960];
            int at = 0;
            if (c.isOpus()) {
                try (OpusDecoder d = new OpusDecoder(8000)) {
                    for (byte[] p : payloads) {
                        at += d.decode(p, 0, p.length, pcm, at);
                    }
                }
            } else {
                for (byte[] p : payloads) {
                    G711.decode(p, 0, pcm, at, p.length, c.name().equals("PCMA"));
                    at += p.length;
                }
            }
            return Arrays.copyOf(pcm, at);
        }
    }

    /** 20 ms packets of a tone in {@code codec}. */
    private static List<byte[]> tonePackets(PayloadFormat codec, double hz, double amplitude) {
        List<byte[]> list = new ArrayList<>();
        if (codec.isOpus()) {
            short[] tone = Tones.sine(hz, 48000, FRAMES / 50.0, amplitude);
            try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
                byte[] out = new byte[1500];
                for (int f = 0; f < FRAMES; f++) {
                    int n = enc.encode(tone, f * 960, 960, out, 12);
                    RtpHeader.writeFixed(out, 0, false, codec.payloadType(), f, 960L * f, 0x1234);
                    list.add(Arrays.copyOf(out, 12 + n));
                }
            }
        } else {
            short[] tone = Tones.sine(hz, 8000, FRAMES / 50.0, amplitude);
            for (int f = 0; f < FRAMES; f++) {
                byte[] p = new byte[12 + 160];
                RtpHeader.writeFixed(p, 0, false, codec.payloadType(), f, 160L * f, 0x5678 + (long) hz);
                G711.encode(tone, f * 160, p, 12, 160, codec.name().equals("PCMA"));
                list.add(p);
            }
        }
        return list;
    }

    private static void deliver(MixerInput in, byte[] packet) {
        byte[] b = Arrays.copyOf(packet, packet.length + 32);
        in.onRtp(b, 0, packet.length);
    }

    /** Power share of {@code hz} in the steady part (past the prebuffer and codec start-up). */
    private static double share(short[] pcm, double hz) {
        short[] steady = Arrays.copyOfRange(pcm, Math.min(pcm.length, 1600), pcm.length);
        return Tones.relativePower(steady, 8000, hz);
    }

    @Test
    void eachPhoneHearsTheOthersAndNotItselfAndTheAppGetsEachPhoneAlone() {
        ConferenceMixer mixer = new ConferenceMixer(Runnable::run, 5, 0);
        MixerInput p1 = ConferenceMixer.input("p1", List.of(PayloadFormat.PCMU));
        MixerInput p2 = ConferenceMixer.input("p2", List.of(PayloadFormat.PCMA));
        MixerInput app = ConferenceMixer.input("app", List.of(OPUS));
        Capture toP1 = new Capture();
        Capture toP2 = new Capture();
        Capture appFromP1 = new Capture();
        Capture appFromP2 = new Capture();
        mixer.apply(new ConferenceMixer.Plan(List.of(p1, p2, app),
                List.of(new ConferenceMixer.Leg("p1", PayloadFormat.PCMU, toP1), new ConferenceMixer.Leg("p2", PayloadFormat.PCMA, toP2)),
                List.of(new ConferenceMixer.Forward("p1", OPUS, appFromP1), new ConferenceMixer.Forward("p2", OPUS, appFromP2))));

        List<byte[]> s1 = tonePackets(PayloadFormat.PCMU, 500, 0.3);
        List<byte[]> s2 = tonePackets(PayloadFormat.PCMA, 900, 0.3);
        List<byte[]> s3 = tonePackets(OPUS, 1400, 0.3);
        for (int f = 0; f < FRAMES; f++) {
            deliver(p1, s1.get(f));
            deliver(p2, s2.get(f));
            deliver(app, s3.get(f));
            mixer.tick();
        }

        short[] heard1 = toP1.decode(PayloadFormat.PCMU);
        short[] heard2 = toP2.decode(PayloadFormat.PCMA);
        assertThat(toP1.types).containsOnly(0);
        assertThat(toP2.types).containsOnly(8);
        assertThat(toP1.lastStep).isEqualTo(160);
        assertThat(toP1.payloads).hasSize(FRAMES); // one frame per tick, silence included
        assertThat(share(heard1, 900) + share(heard1, 1400)).isGreaterThan(0.8);
        assertThat(share(heard1, 900)).isGreaterThan(0.2);
        assertThat(share(heard1, 1400)).isGreaterThan(0.2);
        assertThat(share(heard1, 500)).isLessThan(0.02); // never its own voice
        assertThat(share(heard2, 500) + share(heard2, 1400)).isGreaterThan(0.8);
        assertThat(share(heard2, 500)).isGreaterThan(0.2);
        assertThat(share(heard2, 900)).isLessThan(0.02);

        assertThat(appFromP1.types).containsOnly(111);
        assertThat(appFromP1.lastStep).isEqualTo(960);
        assertThat(share(appFromP1.decode(OPUS), 500)).isGreaterThan(0.8);
        assertThat(share(appFromP2.decode(OPUS), 900)).isGreaterThan(0.8);
        mixer.close();
    }

    @Test
    void phonesThatAreSilentShareOneEncodedMix() {
        ConferenceMixer mixer = new ConferenceMixer(Runnable::run, 5, 0);
        MixerInput talker = ConferenceMixer.input("talker", List.of(PayloadFormat.PCMU));
        MixerInput q1 = ConferenceMixer.input("q1", List.of(PayloadFormat.PCMU));
        MixerInput q2 = ConferenceMixer.input("q2", List.of(PayloadFormat.PCMU));
        List<byte[]> sent1 = new ArrayList<>();
        List<byte[]> sent2 = new ArrayList<>();
        mixer.apply(new ConferenceMixer.Plan(List.of(talker, q1, q2), List.of(
                new ConferenceMixer.Leg("q1", PayloadFormat.PCMU, (b, off, len, pt, step) -> sent1.add(b)),
                new ConferenceMixer.Leg("q2", PayloadFormat.PCMU, (b, off, len, pt, step) -> sent2.add(b))), List.of()));
        List<byte[]> tone = tonePackets(PayloadFormat.PCMU, 700, 0.3);
        List<byte[]> quiet = tonePackets(PayloadFormat.PCMU, 700, 0.0);
        for (int f = 0; f < FRAMES; f++) {
            deliver(talker, tone.get(f));
            deliver(q1, quiet.get(f));
            deliver(q2, quiet.get(f));
            mixer.tick();
        }
        assertThat(sent1).hasSize(FRAMES);
        for (int i = 0; i < FRAMES; i++) {
            assertThat(sent1.get(i)).isSameAs(sent2.get(i)); // the same buffer: encoded once for both
        }
        mixer.close();
    }

    @Test
    void packetsArrivingInBurstsAreNotLost() {
        ConferenceMixer mixer = new ConferenceMixer(Runnable::run, 5, 0);
        MixerInput p1 = ConferenceMixer.input("p1", List.of(PayloadFormat.PCMU));
        Capture toP2 = new Capture();
        mixer.apply(new ConferenceMixer.Plan(List.of(p1), List.of(new ConferenceMixer.Leg("p2", PayloadFormat.PCMU, toP2)), List.of()));
        List<byte[]> s1 = tonePackets(PayloadFormat.PCMU, 600, 0.3);
        // 0, 2, 0, 1, 3, 0 ... packets between ticks: on average one per tick, jittered by up to 40 ms
        int[] pattern = {0, 2, 0, 1, 3, 0, 1, 1};
        int next = 0;
        int silentAfterStart = 0;
        boolean started = false;
        for (int tick = 0; next < FRAMES; tick++) {
            for (int k = 0; k < pattern[tick % pattern.length] && next < FRAMES; k++) {
                deliver(p1, s1.get(next++));
            }
            mixer.tick();
        }
        for (int i = 0; i < 4; i++) {
            mixer.tick(); // drain what is left
        }
        short[] heard = toP2.decode(PayloadFormat.PCMU);
        int voiced = 0;
        for (int f = 0; f + 160 <= heard.length; f += 160) {
            long energy = 0;
            for (int i = f; i < f + 160; i++) {
                energy += Math.abs(heard[i]);
            }
            boolean loud = energy > 160 * 1000;
            if (loud) {
                voiced++;
                started = true;
            } else if (started && voiced < FRAMES) {
                silentAfterStart++;
            }
        }
        assertThat(voiced).isEqualTo(FRAMES);
        assertThat(silentAfterStart).isZero();
        assertThat(p1.missed()).isZero();
        mixer.close();
    }

    @Test
    void loudSumsSaturateInsteadOfWrapping() {
        assertThat(ConferenceMixer.saturate(40000)).isEqualTo(Short.MAX_VALUE);
        assertThat(ConferenceMixer.saturate(-40000)).isEqualTo(Short.MIN_VALUE);
        assertThat(ConferenceMixer.saturate(1234)).isEqualTo((short) 1234);

        ConferenceMixer mixer = new ConferenceMixer(Runnable::run, 5, 0);
        MixerInput a = ConferenceMixer.input("a", List.of(PayloadFormat.PCMU));
        MixerInput b = ConferenceMixer.input("b", List.of(PayloadFormat.PCMU));
        Capture out = new Capture();
        mixer.apply(new ConferenceMixer.Plan(List.of(a, b), List.of(new ConferenceMixer.Leg("c", PayloadFormat.PCMU, out)), List.of()));
        // both send a constant +25000: the sum (50000) must come out as full scale, not wrapped to -15536
        short[] level = new short[160];
        Arrays.fill(level, (short) 25000);
        for (int f = 0; f < FRAMES; f++) {
            byte[] p = new byte[12 + 160];
            RtpHeader.writeFixed(p, 0, false, 0, f, 160L * f, 0xAAAA);
            G711.encode(level, 0, p, 12, 160, false);
            deliver(a, p);
            deliver(b, p);
            mixer.tick();
        }
        short[] heard = out.decode(PayloadFormat.PCMU);
        short[] steady = Arrays.copyOfRange(heard, 800, heard.length);
        assertThat(steady.length).isGreaterThan(1000);
        for (short v : steady) {
            assertThat((int) v).isGreaterThan(30000);
        }
        mixer.close();
    }

    /** No G.722 codec in srproxy (see FrameCodecs): the channel keeps G.722 phones out of groups. */
    @Test
    void mixesOnlyOpusAndG711() {
        assertThat(ConferenceMixer.supports(PayloadFormat.PCMU)).isTrue();
        assertThat(ConferenceMixer.supports(PayloadFormat.PCMA)).isTrue();
        assertThat(ConferenceMixer.supports(OPUS)).isTrue();
        assertThat(ConferenceMixer.supports(PayloadFormat.G722)).isFalse();
    }
}
