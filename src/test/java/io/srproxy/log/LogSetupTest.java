package io.srproxy.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.srproxy.config.RtxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {

    @TempDir
    Path dir;

    @AfterEach
    void restoreConsoleLogging() {
        LogSetup.apply(new RtxConfig.Log(2, Optional.empty(), 100), true);
    }

    @Test
    void originalLevelsMapOntoLogback() {
        assertThat(LogSetup.levelOf(0)).isEqualTo(Level.TRACE);
        assertThat(LogSetup.levelOf(1)).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.levelOf(2)).isEqualTo(Level.INFO);
        assertThat(LogSetup.levelOf(3)).isEqualTo(Level.WARN);
        assertThat(LogSetup.levelOf(4)).isEqualTo(Level.ERROR);
        assertThat(LogSetup.levelOf(5)).isEqualTo(Level.OFF);
    }

    @Test
    void secretsShowOnlyAtLevelZero() {
        LogSetup.apply(new RtxConfig.Log(1, Optional.empty(), 100), false);
        assertThat(LogSetup.secret("1234")).isEqualTo("****");
        assertThat(LogSetup.sensitive()).isFalse();
        LogSetup.apply(new RtxConfig.Log(0, Optional.empty(), 100), false);
        assertThat(LogSetup.secret("1234")).isEqualTo("1234");
        assertThat(LogSetup.sensitive()).isTrue();
    }

    @Test
    void fileLogRotatesAtMaxFileSize() throws Exception {
        Path file = dir.resolve("srproxy.log");
        LogSetup.apply(new RtxConfig.Log(2, Optional.of(file.toString()), 1), false);
        Logger log = LoggerFactory.getLogger("rotation-test");
        String line = "x".repeat(1000);
        // Logback checks the size at most every 60 ms, so keep writing until it rolls over.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int i = 0; i < 200; i++) {
                log.info("{} {}", i, line);
            }
            return Files.exists(dir.resolve("srproxy.log.1"));
        });
        assertThat(file).exists();
        assertThat(Files.size(dir.resolve("srproxy.log.1"))).isBetween(1_000_000L, 3_000_000L);
    }

    @Test
    void levelThreeDropsInfoButKeepsWarnings() throws Exception {
        Path file = dir.resolve("warn.log");
        LogSetup.apply(new RtxConfig.Log(3, Optional.of(file.toString()), 10), false);
        Logger log = LoggerFactory.getLogger("level-test");
        log.info("quiet-info");
        log.warn("loud-warning");
        String text = Files.readString(file);
        assertThat(text).contains("loud-warning").doesNotContain("quiet-info");
    }

    @Test
    void levelFiveLogsNothing() throws Exception {
        Path file = dir.resolve("none.log");
        LogSetup.apply(new RtxConfig.Log(5, Optional.of(file.toString()), 10), false);
        LoggerFactory.getLogger("none-test").error("even errors are silent");
        assertThat(Files.exists(file) ? Files.readString(file) : "").isEmpty();
    }
}
