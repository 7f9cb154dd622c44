package io.srproxy.bench;

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

    /** Sends {@code message} as one JSON text frame; a java.net.http WebSocket takes one at a time, so sends on it queue here. */
    static void send(WebSocket w, Object message) throws Exception {
        String text = JSON.writeValueAsString(message);
        synchronized (w) {
            w.sendText(text, true).join();
        }
    }
}
