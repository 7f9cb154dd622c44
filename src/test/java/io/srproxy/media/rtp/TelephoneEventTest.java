package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TelephoneEventTest {

    @Test
    void digitsMapToRfc4733EventCodes() {
        String digits = "0123456789*#ABCD";
        for (int i = 0; i < digits.length(); i++) {
            assertThat(TelephoneEvent.code(digits.charAt(i))).isEqualTo(i);
            assertThat(TelephoneEvent.digit(i)).isEqualTo(digits.charAt(i));
        }
        assertThat(TelephoneEvent.code('x')).isEqualTo(-1);
        assertThat(TelephoneEvent.digit(16)).isEqualTo('?');
    }

    @Test
    void payloadLayout() {
        byte[] b = new byte[4];
        TelephoneEvent.write(b, 0, 11, true, 10, 1600);
        // RFC 4733 section 2.3: event, E|R|volume, duration (network order)
        assertThat(b).containsExactly(0x0B, 0x8A, 0x06, 0x40);
        assertThat(TelephoneEvent.event(b, 0)).isEqualTo(11);
        assertThat(TelephoneEvent.end(b, 0)).isTrue();
        assertThat(TelephoneEvent.volume(b, 0)).isEqualTo(10);
        assertThat(TelephoneEvent.duration(b, 0)).isEqualTo(1600);
    }
}
