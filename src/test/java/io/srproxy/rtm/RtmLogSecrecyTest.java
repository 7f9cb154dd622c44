package io.srproxy.rtm;

import io.srproxy.auth.LoginPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.srproxy.config.RtxConfig;
import io.srproxy.log.LogSetup;
import io.srproxy.testsupport.ManualTimers;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Tokens and message bodies stay out of the log at every level above 0 (SENSITIVE). */
class RtmLogSecrecyTest {

    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    @AfterEach
    void restore() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(captured);
        LogSetup.apply(new RtxConfig.Log(2, Optional.empty(), 100), true);
    }

    private String runAt(int level) {
        LogSetup.apply(new RtxConfig.Log(level, Optional.empty(), 100), false);
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        captured.list.clear();
        captured.start();
        root.addAppender(captured);
        try (RtmService service = new RtmService("app", LoginPolicy.appIdOnly("app"), new ManualTimers(), RtmTimeouts.DEFAULTS)) {
            RecordingListener bobSeen = new RecordingListener();
            RtmClient a = service.createClient(new RecordingListener());
            RtmClient b = service.createClient(bobSeen);
            RtmScenarios.join(a.login("alice", "token-s3cr3t"));
            RtmScenarios.join(b.login("bob", "token-s3cr3t"));
            RtmScenarios.join(a.sendMessageToPeer("bob", "body-s3cr3t"));
            bobSeen.awaitEvent("message alice: body-s3cr3t");
            a.createLocalInvitation("bob").setContent("content-s3cr3t").send();
            bobSeen.awaitRemote(1).setResponse("response-s3cr3t").accept();
            bobSeen.awaitEvent("remote accepted");
        }
        root.detachAppender(captured);
        StringBuilder all = new StringBuilder();
        captured.list.forEach(e -> all.append(e.getFormattedMessage()).append('\n'));
        return all.toString();
    }

    @Test
    void verboseLogsNoSecrets() {
        String log = runAt(1);
        assertThat(log).contains("alice").doesNotContain("token-s3cr3t", "body-s3cr3t", "content-s3cr3t", "response-s3cr3t");
    }

    @Test
    void sensitiveLevelShowsBodies() {
        assertThat(runAt(0)).contains("token-s3cr3t", "body-s3cr3t");
    }
}
