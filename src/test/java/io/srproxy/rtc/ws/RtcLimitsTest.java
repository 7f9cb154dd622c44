package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.web.WebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** /rtc's protective limits: open connections, joins per second per source, and the uid/channel rule. */
class RtcLimitsTest {

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final List<AutoCloseable> open = new ArrayList<>();
    private RtcService rtc;
    private RtcWebModule module;
    private WebServer web;
    private String offer;

    private void start(RtcWebModule.Limits limits) throws Exception {
        rtc = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 1, clock::get, Duration.ofSeconds(5), false));
        module = new RtcWebModule(rtc, "app1", LoginPolicy.appIdOnly("app1"), limits, clock::get);
        web = new WebServer("127.0.0.1", 0, List.of(module)).start();
        try (JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            offer = peer.offer();
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        web.close();
        module.close();
        rtc.close();
    }

    private SourceBoundWs connect(String source) throws Exception {
        SourceBoundWs ws = new SourceBoundWs(InetAddress.getByName(source), web.port(), "/rtc");
        open.add(ws);
        return ws;
    }

    private Map<String, Object> join(String channel, String uid) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", "join");
        m.put("appId", "app1");
        m.put("channel", channel);
        m.put("uid", uid);
        m.put("sdp", offer);
        return m;
    }

    @Test
    void oneConnectionOverTheCapIsRefusedAsOnRtm() throws Exception {
        start(new RtcWebModule.Limits(2, 100));
        SourceBoundWs a = connect("127.0.0.1");
        connect("127.0.0.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> module.openConnections() == 2);

        SourceBoundWs third = connect("127.0.0.1");
        JsonNode error = third.next("error");
        assertThat(error.path("code").asText()).isEqualTo("server-full");
        assertThat(error.path("message").asText()).contains("2 /rtc connections open");
        assertThat(third.next()).isNull();
        assertThat(third.closeCode).isEqualTo(RtcWebModule.CLOSE_SERVER_FULL);
        assertThat(module.refusedConnections()).isEqualTo(1);

        a.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> module.openConnections() == 1);
        SourceBoundWs next = connect("127.0.0.1");
        next.send(join("room", "carol"));
        assertThat(next.next("joined").path("uid").asText()).isEqualTo("carol");
    }

    @Test
    void joinsOverTheBudgetOfOneSourceAreRefusedAndAnotherSourceStillJoins() throws Exception {
        start(new RtcWebModule.Limits(100, 3));
        SourceBoundWs a = connect("127.0.0.1");
        for (int i = 0; i < 3; i++) {
            a.send(join("room" + i, "alice"));
            a.next("joined");
            a.send(Map.of("type", "leave"));
            a.next("left");
        }
        a.send(join("room9", "alice"));
        JsonNode refused = a.next("error");
        assertThat(refused.path("code").asText()).isEqualTo("rate-limited");
        assertThat(refused.path("message").asText()).contains("rtc_joins_per_second");
        // another connection from the same address shares the budget
        SourceBoundWs a2 = connect("127.0.0.1");
        a2.send(join("room8", "alice2"));
        assertThat(a2.next("error").path("code").asText()).isEqualTo("rate-limited");
        assertThat(module.rateLimitedJoins()).isEqualTo(2);

        SourceBoundWs b = connect("127.0.0.2");
        b.send(join("room9", "bob"));
        assertThat(b.next("joined").path("uid").asText()).isEqualTo("bob");

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        a.send(join("room9", "alice"));
        assertThat(a.next("joined").path("uid").asText()).isEqualTo("alice");
    }

    @Test
    void badUidsAndChannelIdsGetNamedErrorsAndCannotForgeLogLines() throws Exception {
        start(RtcWebModule.Limits.DEFAULTS);
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        try {
            SourceBoundWs c = connect("127.0.0.1");
            String forged = "bob\n2026-12-02 06:00:00 INFO  io.srproxy.Srproxy - forged";
            c.send(join("room", forged));
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("bad-uid");
            assertThat(e.path("message").asText()).isEqualTo("uid contains a blank or control character (U+000A) at index 3");
            c.send(join("room", "bo\u0007b"));
            assertThat(c.next("error").path("message").asText()).contains("U+0007");
            c.send(join("room", "x".repeat(65)));
            e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("bad-uid");
            assertThat(e.path("message").asText()).isEqualTo("uid is 65 bytes; at most 64 bytes UTF-8");
            c.send(join("room", "bob smith"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("bad-uid");

            c.send(join("room\nforged", "bob"));
            e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("bad-channel");
            assertThat(e.path("message").asText()).contains("control character (U+000A) at index 4");
            c.send(join("r\u0001", "bob"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("bad-channel");
            c.send(join("y".repeat(65), "bob"));
            assertThat(c.next("error").path("message").asText()).isEqualTo("channel id is 65 bytes; at most 64 bytes UTF-8");

            c.send(join("room one", "bob"));
            assertThat(c.next("joined").path("channel").asText()).isEqualTo("room one");
        } finally {
            root.detachAppender(captured);
        }
        assertThat(captured.list).isNotEmpty();
        for (ILoggingEvent event : captured.list) {
            assertThat(event.getFormattedMessage()).doesNotContain("\n", "\r", "\u0007", "\u0001");
        }
        assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("bob\\n2026-12-02 06:00:00 INFO"));
    }
}
