package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.rtc.RtcException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Random input never escapes the hand-written parsers as anything but a clean refusal. */
class ParserPropertiesTest {

    @Property(tries = 2000)
    void stunReadersNeverThrowOnGarbage(@ForAll @Size(max = 200) byte[] b) {
        if (Stun.isStun(b, 0, b.length)) {
            Stun.username(b, 0, b.length);
            Stun.xorMappedAddress(b, 0, b.length);
            Stun.checkFingerprint(b, 0, b.length);
            Stun.checkIntegrity(b, 0, b.length, "key".getBytes(StandardCharsets.UTF_8));
        }
        // a STUN-looking header with a random body must be safe too
        if (b.length >= 20) {
            b[0] = 0;
            b[1] = 1;
            b[2] = 0;
            b[3] = (byte) ((b.length - 20) & ~3);
            b[4] = 0x21;
            b[5] = 0x12;
            b[6] = (byte) 0xA4;
            b[7] = 0x42;
            if (Stun.isStun(b, 0, b.length)) {
                Stun.username(b, 0, b.length);
                Stun.xorMappedAddress(b, 0, b.length);
                assertThat(Stun.checkIntegrity(b, 0, b.length, "key".getBytes(StandardCharsets.UTF_8))).isFalse();
            }
        }
    }

    @Property(tries = 1000)
    void sdpParserOnlyRefusesWithRtcException(@ForAll @Size(max = 40) java.util.List<@net.jqwik.api.From("sdpLine") String> lines) {
        String sdp = String.join("\r\n", lines);
        try {
            SdpAnswer.negotiate(SdpOffer.parse(sdp));
        } catch (RtcException expected) {
            assertThat(expected.code()).isEqualTo("bad-sdp");
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> sdpLine() {
        net.jqwik.api.Arbitrary<String> junk = net.jqwik.api.Arbitraries.strings().ofMaxLength(30);
        return net.jqwik.api.Arbitraries.oneOf(
                junk,
                junk.map(j -> "m=" + j),
                junk.map(j -> "a=rtpmap:" + j),
                junk.map(j -> "a=fmtp:" + j),
                junk.map(j -> "a=rtcp-fb:" + j),
                net.jqwik.api.Arbitraries.of("m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtpmap:111 opus/48000/2",
                        "a=ice-ufrag:abcd", "a=ice-pwd:0123456789012345678901", "a=rtcp-mux",
                        "a=fingerprint:sha-256 AA:BB", "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 VP8/90000",
                        "a=rtpmap:96 VP8/x", "m=audio x y"));
    }
}
