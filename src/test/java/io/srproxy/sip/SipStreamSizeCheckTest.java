package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The TCP framing follower that refuses an oversized message before JAIN-SIP's parser buffers it. */
class SipStreamSizeCheckTest {

    private static final int LIMIT = 4096;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String message(int contentLength, String body) {
        return "INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: " + contentLength + "\r\n\r\n" + body;
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedWithTheHeaders() {
        SipStreamSizeCheck check = new SipStreamSizeCheck(LIMIT);
        assertThatThrownBy(() -> check.check(ascii(message(100_000_000, ""))))
                .isInstanceOf(SipStreamSizeCheck.TooLarge.class).hasMessageContaining("100000000");
    }

    @Test
    void aContentLengthSplitAcrossReadsIsStillSeen() {
        SipStreamSizeCheck check = new SipStreamSizeCheck(LIMIT);
        check.check(ascii("INVITE sip:a@b SIP/2.0\r\ncontent-LEN"));
        assertThatThrownBy(() -> check.check(ascii("gth: 99999\r\n"))).isInstanceOf(SipStreamSizeCheck.TooLarge.class);
    }

    @Test
    void digitsBeyondWhatIsKeptCountAsTooLarge() {
        SipStreamSizeCheck check = new SipStreamSizeCheck(LIMIT);
        assertThatThrownBy(() -> check.check(ascii("Content-Length: " + "9".repeat(80) + "\r\n")))
                .isInstanceOf(SipStreamSizeCheck.TooLarge.class);
    }

    @Test
    void pipelinedMessagesWithBodiesAndKeepalivesPass() {
        SipStreamSizeCheck check = new SipStreamSizeCheck(LIMIT);
        String body = "Content-Length: 999999999\r\n" + "x".repeat(3000); // body text is not a header
        String stream = "\r\n\r\n" + message(body.length(), body) + message(0, "") + "\r\n\r\n" + message(5, "hello");
        byte[] bytes = ascii(stream);
        assertThatCode(() -> {
            for (int i = 0; i < bytes.length; i += 7) { // any split into reads
                byte[] part = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 7));
                check.check(part);
            }
        }).doesNotThrowAnyException();
        assertThatThrownBy(() -> check.check(ascii(message(LIMIT + 1, "")))).isInstanceOf(SipStreamSizeCheck.TooLarge.class);
    }

    @Test
    void anEndlessHeaderBlockIsRefused() {
        SipStreamSizeCheck check = new SipStreamSizeCheck(LIMIT);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                check.check(ascii("X-Filler: " + "y".repeat(100) + "\r\n"));
            }
        }).isInstanceOf(SipStreamSizeCheck.TooLarge.class).hasMessageContaining("header block");
    }
}
