package io.srproxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {

    @Test
    void logsTheFirstThenEachPowerOfTwoWithTheCount() {
        Logger logger = (Logger) LoggerFactory.getLogger("test.throttled");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            ThrottledLog t = new ThrottledLog(logger);
            for (int i = 0; i < 1000; i++) {
                t.warn("refused {}", "x");
            }
            assertThat(t.count()).isEqualTo(1000);
            assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "refused x (1 so far)", "refused x (2 so far)", "refused x (4 so far)", "refused x (8 so far)",
                    "refused x (16 so far)", "refused x (32 so far)", "refused x (64 so far)", "refused x (128 so far)",
                    "refused x (256 so far)", "refused x (512 so far)");
        } finally {
            logger.detachAppender(captured);
        }
    }
}
