package io.srproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The harnesses' WebSocket clients' listener (java.net.http): hands each whole text frame to
 * {@code onFrame} (a frame may come in parts) and says why the socket ended ("closed 1000",
 * "error ...") to {@code onEnd}; {@link #send} writes one JSON frame.
 */
final class JsonFrames implements WebSocket.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<String> onFrame;
    private final Consumer<String> onEnd;
    private final StringBuilder partial = new StringBuilder();

    JsonFrames(Consumer<String> onFrame, Consumer<String> onEnd) {
        this.onFrame = onFrame;
        this.onEnd = onEnd;
    }

    /** Frames parsed: each JSON frame to {@code onJson}; one that is not JSON ends the socket's use ("bad frame ..."). */
    static JsonFrames json(Consumer<JsonNode> onJson, Consumer<String> onEnd) {
        return new JsonFrames(text -> {
            JsonNode m;
            try {
                m = JSON.readTree(text);
            } catch (Exception e) {
                onEnd.accept("bad frame: " + text);
                return;
            }
            onJson.accept(m);
        }, onEnd);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            onFrame.accept(text);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
        onEnd.accept("closed " + status);
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        onEnd.accept("error " + error);
    }

    /**
     * Sends {@code message} as one JSON text frame (nothing while {@code w} is null: not open yet);
     * a java.net.http WebSocket takes one at a time, so sends on it queue here. A failure goes to {@code onFailure}.
     */
    static void send(WebSocket w, Object message, Consumer<String> onFailure) {
        if (w == null) {
            return;
        }
        try {
            String text = JSON.writeValueAsString(message);
            synchronized (w) {
                w.sendText(text, true).join();
            }
        } catch (Exception e) {
            onFailure.accept("send: " + e);
        }
    }
}
