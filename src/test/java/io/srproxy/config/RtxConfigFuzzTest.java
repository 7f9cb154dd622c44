package io.srproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any rtx.conf text through RtxFile.parse and RtxConfigBinder.bind: never an exception (every
 * problem is a ConfigProblem naming file:line), a config exactly when there is no error, and every
 * problem with a message and a line inside the file.
 */
class RtxConfigFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        RtxFile file = RtxFile.parse(text, "fuzz.conf");
        int lines = text.split("\r?\n|\r", -1).length;
        for (RtxFile.Entry e : file.entries()) {
            assertThat(e.line()).isBetween(1, lines);
            assertThat(e.value()).doesNotContain("\n", "\r");
        }
        RtxConfigBinder.Binding binding = RtxConfigBinder.bind(file);
        assertThat(binding.config() == null).as("config null exactly when there are errors: %s", binding.problems())
                .isEqualTo(!binding.errors().isEmpty());
        for (ConfigProblem p : binding.problems()) {
            assertThat(p.message()).isNotBlank();
            assertThat(p.file()).isEqualTo("fuzz.conf");
            assertThat(p.line()).isBetween(0, lines);
        }
    }
}
