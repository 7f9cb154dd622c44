package io.srproxy.rtm.ws;

import io.srproxy.log.LogSafe;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmException;
import io.srproxy.rtm.RtmRequest;
import io.srproxy.rtm.RtmTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RtmTransport} over the /rtm WebSocket with the JDK's client; pings every 10 s. */
final class WsRtmTransport implements RtmTransport, WebSocket.Listener {

    private static final Logger log = LoggerFactory.getLogger(WsRtmTransport.class);
    static final Duration PING_INTERVAL = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ScheduledExecutorService PINGER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtm-ws-ping");
        t.setDaemon(true);
        return t;
    });

    private final URI uri;
    private final RtmWireCodec codec = new RtmWireCodec();
    private final StringBuilder partial = new StringBuilder();
    private volatile Inbound inbound;
    private volatile WebSocket socket;
    /** The socket {@link #close()} closed last. */
    private volatile WebSocket retired;
    private volatile boolean closing;
    private ScheduledFuture<?> pings;
    /** The JDK WebSocket takes one send at a time: each send waits for the previous one. */
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    WsRtmTransport(URI uri) {
        this.uri = uri;
    }

    @Override
    public CompletableFuture<Void> open(Inbound inbound) {
        this.inbound = inbound;
        closing = false;
        synchronized (this) {
            lastSend = CompletableFuture.completedFuture(null);
            partial.setLength(0);
        }
        return HTTP.newWebSocketBuilder().buildAsync(uri, this)
                .handle((ws, error) -> {
                    if (error != null) {
                        throw new RtmException(RtmError.UNREACHABLE, "cannot reach " + uri + ": " + error);
                    }
                    socket = ws;
                    synchronized (this) {
                        pings = PINGER.scheduleAtFixedRate(() -> send(0, new RtmRequest.Ping()),
                                PING_INTERVAL.toMillis(), PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    return null;
                });
    }

    @Override
    public void send(long requestId, RtmRequest request) {
        WebSocket ws = socket;
        if (ws == null || closing) {
            throw new RtmException(RtmError.NOT_LOGGED_IN, "not connected");
        }
        String text = codec.request(requestId, request);
        synchronized (this) {
            lastSend = lastSend.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true))
                    .whenComplete((v, e) -> {
                        if (e != null && requestId != 0) {
                            inbound.reply(requestId, null, new RtmException(RtmError.NOT_LOGGED_IN, "send failed: " + e));
                        }
                    });
        }
    }

    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            if (pings != null) {
                pings.cancel(false);
                pings = null;
            }
        }
        WebSocket ws = socket;
        socket = null;
        if (ws != null) {
            retired = ws;
            synchronized (this) {
                lastSend.handle((v, e) -> null).thenCompose(v -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"))
                        .whenComplete((v, e) -> ws.abort());
            }
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String frame = partial.toString();
            partial.setLength(0);
            try {
                RtmWireCodec.Incoming in = codec.decodeIncoming(frame);
                if (in instanceof RtmWireCodec.IncomingEvent e) {
                    inbound.event(e.event());
                } else if (in instanceof RtmWireCodec.IncomingReply r && r.id() > 0) {
                    inbound.reply(r.id(), r.reply(), r.error());
                }
            } catch (Exception e) {
                log.warn("unreadable frame from {}: {}", uri, LogSafe.of(e.toString()));
            }
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        gone(ws, "closed by server: " + statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        gone(ws, "error: " + error);
    }

    private void gone(WebSocket ws, String why) {
        if (ws == retired) {
            // the socket we closed (a logout, then a login again at once): its close may land
            // after the next open and must not end the new session
            return;
        }
        synchronized (this) {
            if (pings != null) {
                pings.cancel(false);
                pings = null;
            }
        }
        if (!closing) {
            closing = true;
            socket = null;
            inbound.lost(why);
        }
    }
}
