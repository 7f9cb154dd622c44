package io.srproxy.rtm.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;

/**
 * Any /rtm text frame, read both ways: by the server as a request (the only refusal is a
 * WireException with an error code and a message; a decoded request re-encoded by the client side
 * decodes to the same request) and by the client library as a server frame (refusals:
 * JsonProcessingException, or IllegalArgumentException for an unknown event).
 */
class RtmWireCodecFuzzTest {

    private static final RtmWireCodec CODEC = new RtmWireCodec();

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        String frame = new String(input, StandardCharsets.UTF_8);
        asRequest(frame);
        asServerFrame(frame);
    }

    private static void asRequest(String frame) {
        RtmWireCodec.Decoded decoded;
        try {
            decoded = CODEC.decodeRequest(frame);
        } catch (WireException e) {
            assertThat(e.error).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        String again = CODEC.request(7, decoded.request());
        try {
            RtmWireCodec.Decoded reread = CODEC.decodeRequest(again);
            assertThat(reread.request()).isEqualTo(decoded.request());
            assertThat(reread.cmd()).isEqualTo(decoded.cmd());
        } catch (WireException e) {
            throw new AssertionError("a request we encode is refused: " + e.getMessage() + ": " + again, e);
        }
    }

    private static void asServerFrame(String frame) {
        try {
            CODEC.decodeIncoming(frame);
        } catch (JsonProcessingException e) {
            assertThat(e.getOriginalMessage()).isNotBlank();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("unknown event");
        }
    }
}
