package io.srproxy.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.rtc.ChannelRegistry;
import io.srproxy.rtc.RtcException;
import io.srproxy.rtm.RtmException;
import io.srproxy.rtm.RtmLimits;
import org.junit.jupiter.api.Test;

/** One rule for uids and one for channel ids, the same on /rtm and /rtc. */
class IdentifiersTest {

    @Test
    void uidsAreOneTo64BytesWithoutBlanksOrControls() {
        assertThat(Identifiers.uidProblem("uid", "alice-é")).isNull();
        assertThat(Identifiers.uidProblem("uid", "x".repeat(64))).isNull();
        assertThat(Identifiers.uidProblem("uid", "x".repeat(65))).isEqualTo("uid is 65 bytes; at most 64 bytes UTF-8");
        assertThat(Identifiers.uidProblem("uid", "é".repeat(33))).isEqualTo("uid is 66 bytes; at most 64 bytes UTF-8");
        assertThat(Identifiers.uidProblem("uid", "")).isEqualTo("uid must not be empty");
        assertThat(Identifiers.uidProblem("uid", null)).isEqualTo("uid must not be empty");
        assertThat(Identifiers.uidProblem("uid", "a\nb")).contains("(U+000A) at index 1");
        assertThat(Identifiers.uidProblem("uid", "a b")).contains("(U+0020) at index 1");
        assertThat(Identifiers.uidProblem("uid", "a\u2028b")).contains("(U+2028)");
    }

    @Test
    void channelIdsMayHoldBlanksButNoControls() {
        assertThat(Identifiers.channelIdProblem("channel id", "room one")).isNull();
        assertThat(Identifiers.channelIdProblem("channel id", "room\r\n")).contains("control character (U+000D) at index 4");
        assertThat(Identifiers.channelIdProblem("channel id", "c".repeat(65))).contains("65 bytes");
    }

    @Test
    void rtmAndRtcApplyTheSameRule() {
        assertThatThrownBy(() -> RtmLimits.uid("uid", "a\u0007")).isInstanceOf(RtmException.class)
                .hasMessageContaining(Identifiers.uidProblem("uid", "a\u0007"));
        assertThatThrownBy(() -> RtmLimits.channelId("channelId", "a\nb")).isInstanceOf(RtmException.class)
                .hasMessageContaining("control character (U+000A)");
        assertThat(RtmLimits.channelId("channelId", null)).isEmpty();
        assertThatThrownBy(() -> ChannelRegistry.validateChannelId("a\nb")).isInstanceOf(RtcException.class)
                .hasMessage(Identifiers.channelIdProblem("channel id", "a\nb"));
    }
}
