package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any invitation content an app sends (the RTM invite's content) through InvitationContent.parse:
 * a value or InvitationContent.Invalid with a reason, nothing else; a parsed value has no null
 * field and codec lists that are never null.
 */
class InvitationContentFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        String content = new String(input, StandardCharsets.UTF_8);
        InvitationContent c;
        try {
            c = InvitationContent.parse(content);
        } catch (InvitationContent.Invalid e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(c.chanId()).isNotNull();
        assertThat(c.userData()).isNotNull();
        assertThat(c.sipData()).isNotNull();
        assertThat(c.displayName()).isNotNull();
        assertThat(c.vidCodec()).isNotNull().doesNotContainNull();
        assertThat(c.audCodec()).isNotNull().doesNotContainNull();
    }
}
