package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.rtc.RtcService;
import io.srproxy.auth.LoginPolicy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Any /rtc text frame as the first frame of a fresh session, the session then closed: every frame
 * is answered (an error with a code and a message, joined, or left), never dropped by an exception
 * inside the session, and nothing stays in the channel registry.
 */
class RtcSignalFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One service (one UDP socket on loopback) for the whole run; sessions come and go. */
    private static final RtcService RTC = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 1,
            System::nanoTime, Duration.ofSeconds(5), false));
    private static final LoginPolicy POLICY = LoginPolicy.of("fuzz", Set.of("1005"), Optional.empty());

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) throws Exception {
        List<String> out = new ArrayList<>();
        RtcSignalSession session = new RtcSignalSession(RTC, "fuzz", POLICY, JSON, out::add, Runnable::run,
                InetAddress.getLoopbackAddress());
        session.onText(new String(input, StandardCharsets.UTF_8));
        session.onClosed();
        assertThat(out).as("the frame got an answer").isNotEmpty();
        JsonNode first = JSON.readTree(out.get(0));
        String type = first.path("type").asText();
        assertThat(type).isIn("error", "joined", "left");
        if (type.equals("error")) {
            assertThat(first.path("code").asText()).isNotBlank();
            assertThat(first.path("message").isTextual()).as("error has a message: %s", out.get(0)).isTrue();
            assertThat(first.path("message").asText()).isNotBlank();
        }
        assertThat(RTC.channels().size()).as("members left behind").isZero();
    }
}
