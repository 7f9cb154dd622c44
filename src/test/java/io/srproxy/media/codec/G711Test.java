package io.srproxy.media.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class G711Test {

    @Test
    void muLawDecodesTheTableEndpointsOfG711() {
        // ITU-T G.711 table 2: code 0x00 and 0x80 are the extremes, 0xFF and 0x7F are zero.
        assertThat(G711.ulawDecode((byte) 0x00)).isEqualTo((short) -32124);
        assertThat(G711.ulawDecode((byte) 0x80)).isEqualTo((short) 32124);
        assertThat(G711.ulawDecode((byte) 0xFF)).isEqualTo((short) 0);
        assertThat(G711.ulawDecode((byte) 0x7F)).isEqualTo((short) 0);
    }

    @Test
    void aLawDecodesTheTableEndpointsOfG711() {
        // ITU-T G.711 table 1: 0xD5/0x55 are the smallest magnitudes (+-8), 0xAA/0x2A the largest.
        assertThat(G711.alawDecode((byte) 0xD5)).isEqualTo((short) 8);
        assertThat(G711.alawDecode((byte) 0x55)).isEqualTo((short) -8);
        assertThat(G711.alawDecode((byte) 0xAA)).isEqualTo((short) 32256);
        assertThat(G711.alawDecode((byte) 0x2A)).isEqualTo((short) -32256);
    }

    @Test
    void silenceEncodesToTheIdleCodes() {
        assertThat(G711.linearToUlaw(0)).isEqualTo((byte) 0xFF);
        assertThat(G711.linearToAlaw(0)).isEqualTo((byte) 0xD5);
    }

    @Test
    void everyCodeRoundTripsThroughItsDecodedValue() {
        for (int code = 0; code < 256; code++) {
            short u = G711.ulawDecode((byte) code);
            assertThat(G711.ulawDecode(G711.linearToUlaw(u))).as("mu-law code %02x", code).isEqualTo(u);
            short a = G711.alawDecode((byte) code);
            assertThat(G711.linearToAlaw(a)).as("A-law code %02x", code).isEqualTo((byte) code);
        }
    }

    @Test
    void quantisationErrorStaysWithinHalfAStepOverTheWholeRange() {
        for (int x = -32768; x <= 32767; x += 7) {
            int u = G711.ulawDecode(G711.linearToUlaw(x));
            int a = G711.alawDecode(G711.linearToAlaw(x));
            int step = Math.max(16, Math.abs(x) / 16); // 4 mantissa bits per segment
            assertThat(Math.abs(u - Math.max(-32124, Math.min(32124, x)))).as("mu-law %d", x).isLessThanOrEqualTo(step);
            assertThat(Math.abs(a - x)).as("A-law %d", x).isLessThanOrEqualTo(step + 512);
        }
    }
}
