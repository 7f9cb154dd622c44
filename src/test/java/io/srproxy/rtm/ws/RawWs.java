package io.srproxy.rtm.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket driven frame by frame, to send what no SDK would. */
final class RawWs implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    volatile int closeCode = -1;
    volatile String closeReason;
    volatile Throwable error;
    final WebSocket ws;

    RawWs(URI uri) throws Exception {
        ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).get(10, TimeUnit.SECONDS);
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** Sends and returns the next frame (the reply, when no event is due). */
    JsonNode call(String text) throws Exception {
        send(text);
        return next();
    }

    JsonNode next() throws InterruptedException {
        JsonNode n = frames.poll(10, TimeUnit.SECONDS);
        if (n == null) {
            throw new AssertionError("no frame within 10 s");
        }
        return n;
    }

    /** The next frame that is an event of this name (skipping others). */
    JsonNode nextEvent(String name) throws InterruptedException {
        while (true) {
            JsonNode n = next();
            if (name.equals(n.path("event").asText())) {
                return n;
            }
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        closeReason = reason;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        this.error = error;
    }

    @Override
    public void close() {
        ws.abort();
    }
}
