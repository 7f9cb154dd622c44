package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SipLogTextTest {

    @Test
    void escapesLineBreaksAndControlCharactersAndCutsLongValues() {
        assertThat(SipLogText.of("INVITE\r\nX: 1\u0000\u001b")).isEqualTo("INVITE\\r\\nX: 1\\u0000\\u001B");
        assertThat(SipLogText.of("a".repeat(300))).isEqualTo("a".repeat(200) + "...");
        assertThat(SipLogText.of(null)).isEqualTo("null");
    }

    @Test
    void throttleLogsTheFirstAndThenEachPowerOfTwo() {
        SipLogThrottle t = new SipLogThrottle();
        StringBuilder logged = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            long n = t.next();
            if (n > 0) {
                logged.append(n).append(' ');
            }
        }
        assertThat(logged.toString()).isEqualTo("1 2 4 8 16 ");
        assertThat(t.count()).isEqualTo(20);
    }
}
