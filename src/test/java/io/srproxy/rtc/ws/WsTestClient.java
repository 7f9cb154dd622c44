package io.srproxy.rtc.ws;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A /rtc WebSocket client for tests: sends JSON, keeps every frame received. */
public final class WsTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final WebSocket ws;
    private int taken;

    WsTestClient(int port) {
        this("127.0.0.1", port);
    }

    /** To srproxy at {@code host} (an IPv6 literal is bracketed here). */
    public WsTestClient(String host, int port) {
        String authority = host.contains(":") ? "[" + host + "]" : host;
        StringBuilder partial = new StringBuilder();
        ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://" + authority + ":" + port + "/rtc"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                received.add(JSON.readTree(partial.toString()));
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).join();
    }

    public void send(Map<String, Object> message) {
        try {
            ws.sendText(JSON.writeValueAsString(message), true).join();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void sendRaw(String text) {
        ws.sendText(text, true).join();
    }

    /** The next frame (after those already taken) of {@code type}; earlier frames of other types are skipped. */
    public JsonNode next(String type) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (int i = taken; i < received.size(); i++) {
                if (received.get(i).path("type").asText().equals(type)) {
                    found[0] = received.get(i);
                    taken = i + 1;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Override
    public void close() {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
}
