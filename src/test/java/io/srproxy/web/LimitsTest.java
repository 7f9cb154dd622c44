package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** [limits]: a connection over max_connections and requests over max_requests_per_second are refused, clearly and counted. */
class LimitsTest {

    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        String conf = "[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp()
                + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n[limits]\nmax_connections=2\nmax_requests_per_second=5\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "limits.conf")).config());
    }

    @AfterAll
    static void stop() {
        srproxy.close();
    }

    /** A raw WebSocket remembering every text frame and the close status. */
    private static final class Socket implements WebSocket.Listener {
        final List<String> frames = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws;

        Socket open() throws Exception {
            ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + srproxy.webPort() + "/rtm"), this).get(10, TimeUnit.SECONDS);
            return this;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            frames.add(data.toString());
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closed.complete(status);
            return null;
        }
    }

    private static String metrics() throws Exception {
        return HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + srproxy.webPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void connectionsOverTheLimitAreRefusedAndRequestFloodsAreThrottled() throws Exception {
        Socket a = new Socket().open();
        Socket b = new Socket().open();
        Socket c = new Socket().open();
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1013);
        assertThat(c.frames).singleElement().asString().contains("\"error\":\"SERVER_FULL\"", "2 connections open");

        for (int i = 0; i < 20; i++) {
            a.ws.sendText("{\"id\":" + i + ",\"cmd\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
        }
        // every request is answered: at most 5 a second pass, the rest get RATE_LIMITED with their id
        await().atMost(Duration.ofSeconds(5)).until(() -> a.frames.size() >= 20);
        assertThat(a.frames.stream().filter(f -> f.contains("\"error\":\"RATE_LIMITED\""))).hasSizeGreaterThanOrEqualTo(10)
                .allMatch(f -> f.contains("\"id\":") && f.contains("max_requests_per_second"));
        assertThat(a.closed).isNotDone();
        // the other socket is not affected, and the flooding one recovers in the next second
        b.ws.sendText("{\"id\":\"b\",\"cmd\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.frames.stream().anyMatch(f -> f.contains("\"id\":\"b\"") && f.contains("\"ok\":true")));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            a.ws.sendText("{\"id\":\"later\",\"cmd\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
            return a.frames.stream().anyMatch(f -> f.contains("\"id\":\"later\"") && f.contains("\"ok\":true"));
        });
        String m = metrics();
        assertThat(m).contains("srproxy_refused_total{reason=\"max_connections\"} 1.0");
        assertThat(m).containsPattern("srproxy_refused_total\\{reason=\"max_requests_per_second\"} (1[0-9]|[2-9][0-9])\\.0");
        a.ws.abort();
        b.ws.abort();
    }
}
