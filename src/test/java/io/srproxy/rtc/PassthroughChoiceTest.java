package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

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
            rtc.channels().join("u", "phone", new CapturingTransport(1, Codec.PCMU), e -> {});
            rtc.channels().join("g", "phone", new CapturingTransport(2, Codec.G722), e -> {});
            rtc.channels().join("a", "phone", new CapturingTransport(3, Codec.PCMA), e -> {});
            rtc.channels().join("o", "phone", new CapturingTransport(4, Codec.opus(111)), e -> {});
            assertThat(rtc.audioToMatch("u")).containsExactly(Codec.PCMU);
            assertThat(rtc.audioToMatch("g")).containsExactly(Codec.G722);
            assertThat(rtc.audioToMatch("a")).as("PCMA not in [media] codecs").isEmpty();
            assertThat(rtc.audioToMatch("o")).as("Opus is the default anyway").isEmpty();
        }
    }

    @Test
    void neverAsksForNothing() {
        try (RtcService rtc = rtc(PassthroughPolicy.NEVER)) {
            rtc.channels().join("u", "phone", new CapturingTransport(1, Codec.PCMU), e -> {});
            assertThat(rtc.audioToMatch("u")).isEmpty();
        }
    }
}
