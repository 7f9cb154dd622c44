package io.srproxy.rtm.ws;

import io.srproxy.log.LogSafe;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.srproxy.rtm.Connection;
import io.srproxy.rtm.ConnectionChangeReason;
import io.srproxy.rtm.ConnectionPeer;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmEvent;
import io.srproxy.rtm.RtmService;
import io.srproxy.web.WebModule;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The /rtm WebSocket: one {@link Connection} per socket, JSON frames in and out (docs/protocol.md).
 * A frame that cannot be understood gets an error reply naming the problem and the socket stays
 * open; frames over {@code WebServer.MAX_WS_MESSAGE_BYTES} are closed by Jetty with 1009. A client
 * that stops reading is cut off once {@link #MAX_QUEUED_CHARS} of its frames wait unsent, so it
 * cannot make the server hold unbounded memory.
 */
public final class RtmWebSocket implements WebModule {

    private static final Logger log = LoggerFactory.getLogger(RtmWebSocket.class);
    public static final String PATH = "/rtm";
    /** Close code sent to a client that was silent longer than the keepalive limit. */
    public static final int CLOSE_KEEPALIVE_TIMEOUT = 4001;
    /** RFC 6455 going away: srproxy is stopping (clients log in again once it is back). */
    public static final int CLOSE_GOING_AWAY = 1001;
    /** Outgoing text (in chars) that may wait for a slow client before it is disconnected. */
    public static final long MAX_QUEUED_CHARS = 1 << 20;

    private final RtmService service;
    private final RtmWireCodec codec = new RtmWireCodec();
    private final Map<String, SocketPeer> sockets = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> closesByStatus = new ConcurrentHashMap<>();
    private final LongAdder slowClientsDropped = new LongAdder();

    /** Protective limits: open sockets, and requests per second on one socket. */
    public record Limits(int maxConnections, int requestsPerSecond) {
        public static final Limits DEFAULTS = new Limits(10_000, 50);
    }

    /** WebSocket close status for a refused connection (RFC 6455: try again later). */
    public static final int CLOSE_SERVER_FULL = 1013;

    private final Limits limits;
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();

    public RtmWebSocket(RtmService service) {
        this(service, Limits.DEFAULTS);
    }

    public RtmWebSocket(RtmService service, Limits limits) {
        this.service = service;
        this.limits = limits;
    }

    /** Connections refused because {@code max_connections} was reached. */
    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** Requests dropped because a socket sent more than {@code max_requests_per_second}. */
    public long rateLimited() {
        return rateLimited.sum();
    }

    /** Sockets closed so far with this WebSocket status code (1000 normal, 1009 too big, 4001 silent, ...). */
    public long closes(int status) {
        LongAdder n = closesByStatus.get(status);
        return n == null ? 0 : n.sum();
    }

    /** Clients disconnected because they stopped reading. */
    public long slowClientsDropped() {
        return slowClientsDropped.sum();
    }

    /** Open sockets (for health and tests). */
    public int openConnections() {
        return sockets.size();
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                if (sockets.size() >= limits.maxConnections()) {
                    refusedConnections.increment();
                    log.warn("refusing {}: {} connections open ([rtm] max_connections)", ctx.session.getRemoteSocketAddress(),
                            sockets.size());
                    ctx.send(codec.error(null, null, RtmError.SERVER_FULL,
                            "srproxy has " + limits.maxConnections() + " connections open, its limit; try again later"));
                    ctx.closeSession(CLOSE_SERVER_FULL, "connection limit reached");
                    return;
                }
                ctx.enableAutomaticPings();
                SocketPeer peer = new SocketPeer(ctx);
                peer.connection = service.connect(peer, true, "ws:" + ctx.session.getRemoteSocketAddress());
                sockets.put(ctx.sessionId(), peer);
            });
            ws.onMessage(ctx -> onText(ctx, ctx.message()));
            ws.onBinaryMessage(ctx -> {
                SocketPeer peer = sockets.get(ctx.sessionId());
                if (peer != null) {
                    service.touch(peer.connection);
                    peer.send(codec.error(null, null, RtmError.BAD_JSON, "binary frames are not used: send JSON text frames"));
                }
            });
            ws.onClose(ctx -> {
                closesByStatus.computeIfAbsent(ctx.status(), k -> new LongAdder()).increment();
                SocketPeer peer = sockets.remove(ctx.sessionId());
                if (peer != null) {
                    log.debug("{} closed: {} {}", peer.connection, ctx.status(), LogSafe.of(ctx.reason()));
                    service.disconnect(peer.connection);
                }
            });
            ws.onError(ctx -> log.debug("websocket error on {}: {}", ctx.sessionId(),
                    ctx.error() == null ? "?" : LogSafe.of(ctx.error().toString())));
        });
    }

    private void onText(WsContext ctx, String text) {
        SocketPeer peer = sockets.get(ctx.sessionId());
        if (peer == null) {
            return;
        }
        Connection c = peer.connection;
        RtmWireCodec.Decoded d;
        try {
            d = codec.decodeRequest(text);
        } catch (WireException e) {
            service.touch(c);
            log.debug("{}: bad frame: {} {}", c, e.error, LogSafe.of(e.getMessage()));
            peer.send(codec.error(e.id, e.cmd, e.error, e.getMessage()));
            return;
        }
        if (!peer.allow(System.nanoTime())) {
            // refused with its id, so the client's request completes instead of waiting forever
            rateLimited.increment();
            peer.send(codec.error(d.id(), d.cmd(), RtmError.RATE_LIMITED, "more than " + limits.requestsPerSecond()
                    + " requests in one second on this connection ([limits] max_requests_per_second); try again shortly"));
            return;
        }
        service.submit(c, d.request(), (reply, error) -> peer.send(error == null
                ? codec.reply(d.id(), reply)
                : codec.error(d.id(), d.cmd(), error.error(), error.detail())));
    }

    /** The service's way back to one socket, with a bound on what may wait for a slow reader. */
    private final class SocketPeer implements ConnectionPeer {
        private final WsContext ctx;
        private final AtomicLong queuedChars = new AtomicLong();
        private final AtomicBoolean dropped = new AtomicBoolean();
        volatile Connection connection;
        // one-second window for the request rate; Jetty delivers one socket's frames one at a time
        private long windowStart;
        private int inWindow;

        boolean allow(long now) {
            if (now - windowStart >= 1_000_000_000L) {
                windowStart = now;
                inWindow = 0;
            }
            return ++inWindow <= limits.requestsPerSecond();
        }

        SocketPeer(WsContext ctx) {
            this.ctx = ctx;
        }

        void send(String text) {
            long n = text.length();
            if (queuedChars.addAndGet(n) > MAX_QUEUED_CHARS) {
                queuedChars.addAndGet(-n);
                dropSlowClient();
                return;
            }
            Runnable sent = () -> queuedChars.addAndGet(-n);
            ctx.session.sendText(text, Callback.from(sent, failure -> sent.run()));
        }

        private void dropSlowClient() {
            if (dropped.compareAndSet(false, true)) {
                slowClientsDropped.increment();
                log.warn("{} stopped reading ({} chars waiting): disconnected", connection, queuedChars.get());
                sockets.remove(ctx.sessionId());
                service.disconnect(connection);
                ctx.session.disconnect();
            }
        }

        @Override
        public void deliver(RtmEvent event) {
            send(codec.event(event));
        }

        @Override
        public void close(ConnectionChangeReason reason) {
            sockets.remove(ctx.sessionId());
            ctx.closeSession(CLOSE_KEEPALIVE_TIMEOUT, "no frame for longer than the keepalive limit: " + reason);
        }

        @Override
        public void closeGoingAway(String why) {
            sockets.remove(ctx.sessionId());
            ctx.closeSession(CLOSE_GOING_AWAY, why);
        }
    }
}
