package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.TelephoneEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A browser leg that took the SIP leg's G.711 or G.722 gets its packets forwarded: payload bytes
 * untouched, header rewritten into the receiver's stream, events as they are; no transcoder.
 */
class PassthroughRouteTest {

    private static final PayloadFormat TE_SIP = new PayloadFormat(101, "telephone-event", 8000, 1, "0-16");
    private static final PayloadFormat TE_APP = new PayloadFormat(126, "telephone-event", 8000, 1, "");

    @Test
    void g722IsForwardedBothWaysWithEventsAndCounted() {
        ChannelRegistry registry = new ChannelRegistry();
        CapturingTransport phone = new CapturingTransport(0xB0, PayloadFormat.G722, TE_SIP);
        CapturingTransport app = new CapturingTransport(0xA0, new PayloadFormat(9, "G722", 8000, 1, ""), TE_APP);
        registry.join("c", "phone", phone, e -> {});
        registry.join("c", "app", app, e -> {});
        Channel channel = registry.channel("c").orElseThrow();
        assertThat(channel.transcoding()).isFalse();
        assertThat(channel.passthrough()).isTrue();
        assertThat(registry.passthrough()).isEqualTo(1);
        assertThat(registry.passthroughStarted()).isEqualTo(1);
        assertThat(registry.transcodingStarted()).isZero();

        for (int f = 0; f < 3; f++) {
            byte[] p = new byte[12 + 160];
            RtpHeader.writeFixed(p, 0, false, 9, 500 + f, 1000L + 160L * f, 0x9999);
            p[12] = (byte) (f + 1);
            phone.receiveRtp(p);
        }
        assertThat(app.sentRtp).hasSize(3);
        List<byte[]> got = app.sentRtp;
        assertThat(RtpHeader.ssrc(got.get(0), 0)).isEqualTo(0xA0);
        assertThat(RtpHeader.payloadType(got.get(2), 0)).isEqualTo(9);
        assertThat(got.get(2)[12]).as("payload untouched").isEqualTo((byte) 3);
        assertThat(got.get(2).length).isEqualTo(12 + 160);
        assertThat(RtpHeader.timestamp(got.get(2), 0) - RtpHeader.timestamp(got.get(1), 0)).as("8000 Hz RTP clock").isEqualTo(160);

        byte[] digit = new byte[12 + TelephoneEvent.PAYLOAD_LENGTH];
        RtpHeader.writeFixed(digit, 0, true, 126, 9, 48000, 0x4444);
        TelephoneEvent.write(digit, 12, 5, false, 10, 400);
        app.receiveRtp(digit);
        assertThat(phone.sentRtp).singleElement().satisfies(p -> {
            assertThat(RtpHeader.payloadType(p, 0)).isEqualTo(101);
            assertThat(TelephoneEvent.event(p, 12)).isEqualTo(5);
            assertThat(TelephoneEvent.duration(p, 12)).isEqualTo(400);
        });
    }

    @Test
    void g722AgainstOpusIsNeitherForwardedNorTranscoded() {
        ChannelRegistry registry = new ChannelRegistry();
        CapturingTransport phone = new CapturingTransport(0xB0, PayloadFormat.G722);
        CapturingTransport app = new CapturingTransport(0xA0, PayloadFormat.opus(111));
        registry.join("c", "phone", phone, e -> {});
        registry.join("c", "app", app, e -> {});
        assertThat(registry.channel("c").orElseThrow().passthrough()).isFalse();
        assertThat(registry.transcoding()).as("no G.722 transcoder").isZero();
        byte[] p = new byte[12 + 160];
        RtpHeader.writeFixed(p, 0, false, 9, 1, 160, 0x9999);
        phone.receiveRtp(p);
        assertThat(app.sentRtp).isEmpty();
    }

    @Test
    void pcmuBothSidesPassesThroughAndOpusToPcmuIsCountedAsTranscoding() {
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("p", "phone", new CapturingTransport(0xB0, PayloadFormat.PCMU), e -> {});
        registry.join("p", "app", new CapturingTransport(0xA0, PayloadFormat.PCMU), e -> {});
        registry.join("t", "phone", new CapturingTransport(0xB1, PayloadFormat.PCMU), e -> {});
        registry.join("t", "app", new CapturingTransport(0xA1, PayloadFormat.opus(111)), e -> {});
        assertThat(registry.passthrough()).isEqualTo(1);
        assertThat(registry.transcoding()).isEqualTo(1);
        assertThat(registry.channel("t").orElseThrow().passthrough()).isFalse();
    }
}
