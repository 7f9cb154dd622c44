package io.srproxy.rtm.ws;

import io.srproxy.log.LogSafe;
import io.javalin.config.RoutesConfig;
import io.srproxy.rtm.Connection;
import io.srproxy.rtm.ConnectionChangeReason;
import io.srproxy.rtm.ConnectionPeer;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmEvent;
import io.srproxy.rtm.RtmService;
import io.srproxy.web.DirectWebSocket;
import io.srproxy.web.UpgradeResponseDetach;
import io.srproxy.web.WebModule;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.websocket.api.Session;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    /** Seconds between the server's pings to every socket (what Javalin's automatic pings did). */
    static final int PING_SECONDS = 15;
    /** One thread for every server's ping sweep: a sweep is a loop over the open sockets. */
    private static final ScheduledExecutorService PINGER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtm-ws-pings");
        t.setDaemon(true);
        return t;
    });

    private final RtmService service;
    private final RtmWireCodec codec = new RtmWireCodec();
    private final Set<SocketPeer> sockets = ConcurrentHashMap.newKeySet();
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
        // served by Jetty directly (addServlets): see DirectWebSocket for why
    }

    @Override
    public void addServlets(ServletContextHandler context) {
        ScheduledFuture<?> pings = PINGER.scheduleWithFixedDelay(this::pingAll, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
        DirectWebSocket.register(context, PATH, (request, response) -> new SocketPeer(), () -> pings.cancel(false));
    }

    /** A ping to every socket, so NATs and proxies on the way keep the idle ones open. */
    private void pingAll() {
        for (SocketPeer peer : sockets) {
            Session session = peer.session;
            if (session != null && session.isOpen()) {
                session.sendPing(BufferUtil.EMPTY_BUFFER, Callback.NOOP);
            }
        }
    }

    private void opened(SocketPeer peer, Session session) {
        if (sockets.size() >= limits.maxConnections()) {
            refusedConnections.increment();
            log.warn("refusing {}: {} connections open ([rtm] max_connections)", session.getRemoteSocketAddress(), sockets.size());
            session.sendText(codec.error(null, null, RtmError.SERVER_FULL,
                    "srproxy has " + limits.maxConnections() + " connections open, its limit; try again later"), Callback.NOOP);
            session.close(CLOSE_SERVER_FULL, "connection limit reached", Callback.NOOP);
            return;
        }
        peer.connection = service.connect(peer, true, "ws:" + session.getRemoteSocketAddress());
        sockets.add(peer);
    }

    private void closed(SocketPeer peer, int status, String reason) {
        closesByStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
        if (sockets.remove(peer)) {
            log.debug("{} closed: {} {}", peer.connection, status, LogSafe.of(reason));
            service.disconnect(peer.connection);
        }
    }

    private void onText(SocketPeer peer, String text) {
        if (!sockets.contains(peer)) {
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
    // public only because Jetty invokes the listener methods by reflection
    public final class SocketPeer implements ConnectionPeer, Session.Listener.AutoDemanding {
        volatile Session session;
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

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            UpgradeResponseDetach.detach(session); // an idle user's socket need not hold its upgrade request
            opened(this, session);
        }

        @Override
        public void onWebSocketText(String text) {
            onText(this, text);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
            if (sockets.contains(this)) {
                service.touch(connection);
                send(codec.error(null, null, RtmError.BAD_JSON, "binary frames are not used: send JSON text frames"));
            }
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            closed(this, status, reason);
        }

        @Override
        public void onWebSocketError(Throwable error) {
            log.debug("websocket error on {}: {}", connection, error == null ? "?" : LogSafe.of(error.toString()));
        }

        void send(String text) {
            long n = text.length();
            if (queuedChars.addAndGet(n) > MAX_QUEUED_CHARS) {
                queuedChars.addAndGet(-n);
                dropSlowClient();
                return;
            }
            Runnable sent = () -> queuedChars.addAndGet(-n);
            session.sendText(text, Callback.from(sent, failure -> sent.run()));
        }

        private void dropSlowClient() {
            if (dropped.compareAndSet(false, true)) {
                slowClientsDropped.increment();
                log.warn("{} stopped reading ({} chars waiting): disconnected", connection, queuedChars.get());
                sockets.remove(this);
                service.disconnect(connection);
                session.disconnect();
            }
        }

        @Override
        public void deliver(RtmEvent event) {
            send(codec.event(event));
        }

        @Override
        public void close(ConnectionChangeReason reason) {
            sockets.remove(this);
            session.close(CLOSE_KEEPALIVE_TIMEOUT, "no frame for longer than the keepalive limit: " + reason, Callback.NOOP);
        }

        @Override
        public void closeGoingAway(String why) {
            sockets.remove(this);
            session.close(CLOSE_GOING_AWAY, why, Callback.NOOP);
        }
    }
}
