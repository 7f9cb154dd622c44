package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stopping srproxy tells each logged-in app why: sessionEnded INTERRUPTED, then close 1001 with the reason. */
class ShutdownTellsAppsTest {

    @Test
    void appsAreDisconnectedWithAReason() throws Exception {
        String conf = "[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport="
                + FreePorts.tcpAndUdp() + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        Srproxy srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "stop.conf")).config());
        List<String> frames = new CopyOnWriteArrayList<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + srproxy.webPort() + "/rtm"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                        closed.complete(status + " " + reason);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"id\":1,\"cmd\":\"login\",\"appId\":\"srproxy\",\"uid\":\"1234\"}", true).get(5, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().until(() -> frames.stream().anyMatch(f -> f.contains("\"ok\":true")));

        srproxy.close();

        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("1001 srproxy is shutting down");
        assertThat(frames).anyMatch(f -> f.contains("\"event\":\"sessionEnded\"") && f.contains("INTERRUPTED"));
    }
}
