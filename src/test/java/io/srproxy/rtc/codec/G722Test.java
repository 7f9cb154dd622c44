package io.srproxy.rtc.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.testsupport.Tones;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** G.722 in its 8 kHz mode: a tone through our encoder and decoder comes back as that tone, and silence stays quiet. */
class G722Test {

    @Test
    void aToneSurvivesEncodeAndDecode() {
        for (double hz : new double[] {300, 1000, 3000}) {
            short[] tone = Tones.sine(hz, 8000, 1.0, 0.4);
            byte[] coded = new byte[tone.length];
            new G722().encode(tone, 0, coded, 0, tone.length);
            short[] back = new short[tone.length];
            new G722().decode(coded, 0, back, 0, coded.length);
            short[] steady = Arrays.copyOfRange(back, 800, back.length);
            assertThat(Tones.relativePower(steady, 8000, hz)).as("%s Hz", hz).isGreaterThan(0.9);
            double in = rms(Arrays.copyOfRange(tone, 800, tone.length));
            assertThat(rms(steady)).as("%s Hz level", hz).isBetween(in * 0.7, in * 1.3);
            assertThat(coded[100] & 0xC0).isEqualTo(0xC0); // upper sub-band left silent
        }
    }

    @Test
    void silenceDecodesQuiet() {
        short[] zero = new short[1600];
        byte[] coded = new byte[zero.length];
        new G722().encode(zero, 0, coded, 0, zero.length);
        short[] back = new short[zero.length];
        new G722().decode(coded, 0, back, 0, coded.length);
        assertThat(rms(back)).isLessThan(50);
    }

    private static double rms(short[] s) {
        double acc = 0;
        for (short v : s) {
            acc += (double) v * v;
        }
        return Math.sqrt(acc / s.length);
    }
}
