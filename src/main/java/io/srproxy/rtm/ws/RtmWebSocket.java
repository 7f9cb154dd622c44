package io.srproxy.rtm.ws;

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
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The /rtm WebSocket: one {@link Connection} per socket, JSON frames in and out (docs/protocol.md).
 * A frame that cannot be understood gets an error reply naming the problem and the socket stays
 * open; frames over {@code WebServer.MAX_WS_MESSAGE_BYTES} are closed by Jetty with 1009.
 */
public final class RtmWebSocket implements WebModule {

    private static final Logger log = LoggerFactory.getLogger(RtmWebSocket.class);
    public static final String PATH = "/rtm";
    /** Close code sent to a client that was silent longer than the keepalive limit. */
    public static final int CLOSE_KEEPALIVE_TIMEOUT = 4001;

    private final RtmService service;
    private final RtmWireCodec codec = new RtmWireCodec();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> closesByStatus = new ConcurrentHashMap<>();

    public RtmWebSocket(RtmService service) {
        this.service = service;
    }

    /** Sockets closed so far with this WebSocket status code (1000 normal, 1009 too big, 4001 silent, ...). */
    public long closes(int status) {
        LongAdder n = closesByStatus.get(status);
        return n == null ? 0 : n.sum();
    }

    /** Open sockets (for health and tests). */
    public int openConnections() {
        return connections.size();
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                ctx.enableAutomaticPings();
                String label = "ws:" + ctx.session.getRemoteSocketAddress();
                connections.put(ctx.sessionId(), service.connect(new SocketPeer(ctx), true, label));
            });
            ws.onMessage(ctx -> onText(ctx, ctx.message()));
            ws.onBinaryMessage(ctx -> {
                Connection c = connections.get(ctx.sessionId());
                if (c != null) {
                    service.touch(c);
                }
                ctx.send(codec.error(null, null, RtmError.BAD_JSON, "binary frames are not used: send JSON text frames"));
            });
            ws.onClose(ctx -> {
                closesByStatus.computeIfAbsent(ctx.status(), k -> new LongAdder()).increment();
                Connection c = connections.remove(ctx.sessionId());
                if (c != null) {
                    log.debug("{} closed: {} {}", c, ctx.status(), ctx.reason());
                    service.disconnect(c);
                }
            });
            ws.onError(ctx -> log.debug("websocket error on {}: {}", ctx.sessionId(),
                    ctx.error() == null ? "?" : ctx.error().toString()));
        });
    }

    private void onText(WsContext ctx, String text) {
        Connection c = connections.get(ctx.sessionId());
        if (c == null) {
            return;
        }
        RtmWireCodec.Decoded d;
        try {
            d = codec.decodeRequest(text);
        } catch (WireException e) {
            service.touch(c);
            log.debug("{}: bad frame: {} {}", c, e.error, e.getMessage());
            ctx.send(codec.error(e.id, e.cmd, e.error, e.getMessage()));
            return;
        }
        service.submit(c, d.request(), (reply, error) -> ctx.send(error == null
                ? codec.reply(d.id(), reply)
                : codec.error(d.id(), d.cmd(), error.error(), error.detail())));
    }

    /** The service's way back to one socket. */
    private final class SocketPeer implements ConnectionPeer {
        private final WsContext ctx;

        SocketPeer(WsContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void deliver(RtmEvent event) {
            ctx.send(codec.event(event));
        }

        @Override
        public void close(ConnectionChangeReason reason) {
            connections.remove(ctx.sessionId());
            ctx.closeSession(CLOSE_KEEPALIVE_TIMEOUT, "no frame for longer than the keepalive limit: " + reason);
        }
    }
}
