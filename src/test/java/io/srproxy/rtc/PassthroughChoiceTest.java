package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.PayloadFormat;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an app joining a channel is asked to match: the SIP leg's G.711/G.722 as the policy allows. */
class PassthroughChoiceTest {

    private static RtcService rtc(PassthroughPolicy policy) {
        return new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 1, System::nanoTime,
                Duration.ofSeconds(5), false), policy);
    }

    @Test
    void theLegsCodecWhenThePolicyAllowsIt() {
        try (RtcService rtc = rtc(PassthroughPolicy.of(true, List.of("opus", "PCMU", "G722")))) {
            assertThat(rtc.audioToMatch("empty")).isEmpty();
            rtc.channels().join("u", "phone", new CapturingTransport(1, PayloadFormat.PCMU), e -> {});
            rtc.channels().join("g", "phone", new CapturingTransport(2, PayloadFormat.G722), e -> {});
            rtc.channels().join("a", "phone", new CapturingTransport(3, PayloadFormat.PCMA), e -> {});
            rtc.channels().join("o", "phone", new CapturingTransport(4, PayloadFormat.opus(111)), e -> {});
            assertThat(rtc.audioToMatch("u")).containsExactly(PayloadFormat.PCMU);
            assertThat(rtc.audioToMatch("g")).containsExactly(PayloadFormat.G722);
            assertThat(rtc.audioToMatch("a")).as("PCMA not in [media] codecs").isEmpty();
            assertThat(rtc.audioToMatch("o")).as("Opus is the default anyway").isEmpty();
        }
    }

    @Test
    void neverAsksForNothing() {
        try (RtcService rtc = rtc(PassthroughPolicy.NEVER)) {
            rtc.channels().join("u", "phone", new CapturingTransport(1, PayloadFormat.PCMU), e -> {});
            assertThat(rtc.audioToMatch("u")).isEmpty();
        }
    }
}
