package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any RTP packet read as an RFC 4733 event the way RtpSession and TelephoneEventRelay read one
 * (payload of at least 4 bytes after the header): never an exception, the event stays inside the
 * packet, a digit maps back to its code, and the fields rewritten in place read back the same.
 */
class TelephoneEventFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] packet) {
        int len = packet.length;
        if (!RtpHeader.isRtp(packet, 0, len) || RtpHeader.payloadLength(packet, 0, len) < TelephoneEvent.PAYLOAD_LENGTH) {
            return;
        }
        int at = RtpHeader.headerLength(packet, 0, len);
        assertThat(at + TelephoneEvent.PAYLOAD_LENGTH).isLessThanOrEqualTo(len);
        int event = TelephoneEvent.event(packet, at);
        boolean end = TelephoneEvent.end(packet, at);
        int volume = TelephoneEvent.volume(packet, at);
        int duration = TelephoneEvent.duration(packet, at);
        char digit = TelephoneEvent.digit(event);
        if (digit != '?') {
            assertThat(TelephoneEvent.code(digit)).isEqualTo(event);
        }
        TelephoneEvent.write(packet, at, event, end, volume, duration);
        assertThat(TelephoneEvent.event(packet, at)).isEqualTo(event);
        assertThat(TelephoneEvent.end(packet, at)).isEqualTo(end);
        assertThat(TelephoneEvent.volume(packet, at)).isEqualTo(volume);
        assertThat(TelephoneEvent.duration(packet, at)).isEqualTo(duration);
        assertThat(RtpHeader.payloadLength(packet, 0, len)).as("rewriting keeps the packet's shape")
                .isGreaterThanOrEqualTo(TelephoneEvent.PAYLOAD_LENGTH);
    }
}
