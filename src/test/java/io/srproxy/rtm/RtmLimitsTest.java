package io.srproxy.rtm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class RtmLimitsTest {

    @Property
    void utf8LengthIsTheEncodedLength(@ForAll String s) {
        // lone surrogates encode as '?' (1 byte) in Java but count 3 here: compare on well-formed strings
        String wellFormed = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(RtmLimits.utf8Length(wellFormed)).isEqualTo(wellFormed.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void limitsCountBytesNotCharacters() {
        String emoji = "\uD83D\uDE00"; // 4 bytes
        RtmLimits.text("channelId", emoji.repeat(16), RtmLimits.MAX_CHANNEL_ID_BYTES);
        assertThatThrownBy(() -> RtmLimits.text("channelId", emoji.repeat(16) + "x", RtmLimits.MAX_CHANNEL_ID_BYTES))
                .isInstanceOf(RtmException.class).hasMessage("INVALID_ARGUMENT: channelId is 65 bytes; at most 64 bytes UTF-8");
        assertThatThrownBy(() -> RtmLimits.uid("uid", "a\u00a0b")).hasMessageContaining("blank or control character (U+00A0) at index 1");
        assertThatThrownBy(() -> RtmLimits.uid("uid", "a\u007fb")).hasMessageContaining("U+007F");
        assertThat(RtmLimits.uid("uid", "\u5f20\u4e09")).isEqualTo("\u5f20\u4e09");
    }

    @Test
    void channelsToJoinNeedAnIdOfOneTo64Bytes() {
        assertThatThrownBy(() -> RtmLimits.requiredChannelId("channelId", null)).isInstanceOf(RtmException.class)
                .hasMessage("MISSING_FIELD: channelId is missing");
        assertThatThrownBy(() -> RtmLimits.requiredChannelId("channelId", ""))
                .hasMessage("INVALID_ARGUMENT: channelId must not be empty");
        assertThatThrownBy(() -> RtmLimits.requiredChannelId("channelId", "c".repeat(65)))
                .hasMessage("INVALID_ARGUMENT: channelId is 65 bytes; at most 64 bytes UTF-8");
        assertThatThrownBy(() -> RtmLimits.requiredChannelId("channelId", "a\nb")).hasMessageContaining("control character (U+000A)");
        assertThat(RtmLimits.requiredChannelId("channelId", "group call 42")).isEqualTo("group call 42");
        // an invitation's channel id stays optional
        assertThat(RtmLimits.channelId("channelId", "")).isEmpty();
        assertThatThrownBy(() -> new ChannelLimits(0, 20)).isInstanceOf(IllegalArgumentException.class);
    }
}
