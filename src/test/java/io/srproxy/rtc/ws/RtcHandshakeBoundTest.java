package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.web.WebServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 10 000 /rtc joins whose browsers never start DTLS hold no thread, and the handshake timeout
 * removes the members still waiting, freeing every handshake slot (issue 10: 10 000 such joins
 * used to make 6 326 threads).
 */
class RtcHandshakeBoundTest {

    private static final int CONNECTIONS = 300;
    private static final int JOINS = 10_000;
    private static final Duration DTLS_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);

    @Test
    void joinsThatNeverStartDtlsHoldNoThreadAndTimeOut() throws Exception {
        RtcService rtc = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 1, clock::get, DTLS_TIMEOUT, false));
        RtcWebModule module = new RtcWebModule(rtc, "app1", LoginPolicy.appIdOnly("app1"),
                new RtcWebModule.Limits(CONNECTIONS + 10, 1_000_000), clock::get);
        WebServer web = new WebServer("127.0.0.1", 0, List.of(module)).start();
        ExecutorService clientThreads = Executors.newFixedThreadPool(2);
        HttpClient http = HttpClient.newBuilder().executor(clientThreads).build();
        String offer;
        try (JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            offer = peer.offer();
        }
        Semaphore inFlight = new Semaphore(8); // a bounded flood: at most 8 joins unanswered
        AtomicInteger joined = new AtomicInteger();
        Map<String, Integer> other = new ConcurrentHashMap<>();
        AtomicInteger timedOut = new AtomicInteger();
        List<WebSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                sockets.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + web.port() + "/rtc"),
                        new Replies(inFlight, joined, other, timedOut)).get(10, TimeUnit.SECONDS));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> module.openConnections() == CONNECTIONS);
            int before = ManagementFactory.getThreadMXBean().getThreadCount();

            for (int n = 0; n < JOINS; n++) {
                assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).as("join %d answered in time", n).isTrue();
                WebSocket ws = sockets.get(n % CONNECTIONS);
                if (n >= CONNECTIONS) {
                    ws.sendText("{\"type\":\"leave\"}", true).get(10, TimeUnit.SECONDS);
                }
                String join = JSON.writeValueAsString(Map.of("type", "join", "appId", "app1", "channel", "c" + n,
                        "uid", "u" + n, "sdp", offer));
                ws.sendText(join, true).get(10, TimeUnit.SECONDS);
            }
            assertThat(inFlight.tryAcquire(8, 30, TimeUnit.SECONDS)).isTrue();
            assertThat(other).isEmpty();
            assertThat(joined.get()).isEqualTo(JOINS);

            int after = ManagementFactory.getThreadMXBean().getThreadCount();
            assertThat(after).as("threads after %d joins (before: %d)", JOINS, before).isLessThan(before + 20);
            assertThat(rtc.webrtc().handshakeThreads()).isZero();
            assertThat(rtc.webrtc().pendingHandshakes()).isEqualTo(CONNECTIONS);
            assertThat(rtc.mux().sessions()).isEqualTo(CONNECTIONS);

            // the handshake timeout passes: every member still waiting for DTLS is removed and told
            clock.addAndGet(DTLS_TIMEOUT.plusSeconds(1).toNanos());
            rtc.sweep();
            await().atMost(Duration.ofSeconds(20)).until(() -> timedOut.get() == CONNECTIONS);
            assertThat(rtc.webrtc().pendingHandshakes()).isZero();
            assertThat(rtc.mux().sessions()).isZero();
            assertThat(rtc.channels().size()).isZero();
        } finally {
            sockets.forEach(WebSocket::abort);
            web.close();
            module.close();
            rtc.close();
            clientThreads.shutdownNow();
        }
    }

    /** Counts each connection's answers; a join's answer frees its place in the window. */
    private static final class Replies implements WebSocket.Listener {
        private final Semaphore inFlight;
        private final AtomicInteger joined;
        private final Map<String, Integer> other;
        private final AtomicInteger timedOut;
        private final StringBuilder partial = new StringBuilder();

        Replies(Semaphore inFlight, AtomicInteger joined, Map<String, Integer> other, AtomicInteger timedOut) {
            this.inFlight = inFlight;
            this.joined = joined;
            this.other = other;
            this.timedOut = timedOut;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(partial.toString());
                    String type = m.path("type").asText();
                    switch (type) {
                        case "joined" -> {
                            joined.incrementAndGet();
                            inFlight.release();
                        }
                        case "left" -> { }
                        case "connection-state" -> {
                            if (m.path("state").asText().equals("FAILED") && m.path("reason").asText().equals("dtls-timeout")) {
                                timedOut.incrementAndGet();
                            } else if (!m.path("state").asText().equals("CONNECTING")) {
                                other.merge(m.toString(), 1, Integer::sum);
                            }
                        }
                        default -> {
                            other.merge(m.toString(), 1, Integer::sum);
                            inFlight.release();
                        }
                    }
                } catch (java.io.IOException e) {
                    other.merge(e.toString(), 1, Integer::sum);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
