package io.srproxy.rtc.ws;

import io.srproxy.limits.PerSourceRate;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.srproxy.log.LogSafe;
import io.srproxy.log.ThrottledLog;
import io.srproxy.rtc.RtcService;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.web.WebModule;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The /rtc WebSocket (channel join/leave, SDP, publish and mute events) and the browser SDK file.
 * Open sockets are capped ({@code [limits] rtc_max_connections}: one more gets a "server-full"
 * error and close 1013, as on /rtm) and so are joins per second from one source address
 * ({@code [limits] rtc_joins_per_second}: the excess gets "rate-limited").
 */
public final class RtcWebModule implements WebModule, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtcWebModule.class);

    /** WebSocket close status for a refused connection (RFC 6455: try again later), as on /rtm. */
    public static final int CLOSE_SERVER_FULL = 1013;

    /** Protective limits: open /rtc sockets, joins per second from one source address. */
    public record Limits(int maxConnections, int joinsPerSecond) {
        public static final Limits DEFAULTS = new Limits(2000, 10);
    }

    private final RtcService rtc;
    private final String appId;
    private final LoginPolicy joinPolicy;
    private final Limits limits;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, RtcSignalSession> sessions = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final PerSourceRate joinRate;
    private final ThrottledLog refusedConnections = new ThrottledLog(log);
    private final RtcSignalSession.Refusals refusals = new RtcSignalSession.Refusals(log);

    /** Any uid may join (tests of the media path); srproxy itself uses the other constructor. */
    public RtcWebModule(RtcService rtc, String appId) {
        this(rtc, appId, LoginPolicy.appIdOnly(appId));
    }

    public RtcWebModule(RtcService rtc, String appId, LoginPolicy joinPolicy) {
        this(rtc, appId, joinPolicy, Limits.DEFAULTS, System::nanoTime);
    }

    /**
     * {@code joinPolicy} is RTM's login policy: every /rtc join is a remote one, so it must bring a
     * token when app_cert is set and may not take the gateway's uids (its SIP legs join in-process).
     * {@code clock} times the per-source join budget.
     */
    public RtcWebModule(RtcService rtc, String appId, LoginPolicy joinPolicy, Limits limits, LongSupplier clock) {
        this.rtc = rtc;
        this.appId = appId;
        this.joinPolicy = joinPolicy;
        this.limits = limits;
        this.joinRate = new PerSourceRate(limits.joinsPerSecond(), PerSourceRate.MAX_SOURCES, clock);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "rtc-signal-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Open /rtc sockets. */
    public int openConnections() {
        return sessions.size();
    }

    /** Sockets refused because {@code rtc_max_connections} were open. */
    public long refusedConnections() {
        return refusedConnections.count();
    }

    /** Joins refused because their source sent more than {@code rtc_joins_per_second}. */
    public long rateLimitedJoins() {
        return refusals.rateLimited.count();
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.ws("/rtc", ws -> {
            ws.onConnect(ctx -> {
                SocketAddress remote = ctx.session.getRemoteSocketAddress();
                if (sessions.size() >= limits.maxConnections()) {
                    refusedConnections.warn("refusing /rtc connection from {}: {} open ([limits] rtc_max_connections)",
                            LogSafe.of(remote), sessions.size());
                    ctx.send(json.writeValueAsString(new RtcMessages.Error("connect", "server-full", "srproxy has "
                            + limits.maxConnections() + " /rtc connections open, its limit; try again later")));
                    ctx.closeSession(CLOSE_SERVER_FULL, "connection limit reached");
                    return;
                }
                ctx.enableAutomaticPings();
                SocketAddress local = ctx.session.getLocalSocketAddress();
                InetAddress source = remote instanceof InetSocketAddress in ? in.getAddress() : null;
                sessions.put(ctx.sessionId(), new RtcSignalSession(rtc, appId, joinPolicy, json, ctx::send, pool,
                        local instanceof InetSocketAddress in ? in.getAddress() : null, remote,
                        () -> joinRate.admit(source), joinRate.perSecond(), refusals));
            });
            ws.onMessage(ctx -> {
                RtcSignalSession s = sessions.get(ctx.sessionId());
                if (s != null) {
                    s.onText(ctx.message());
                }
            });
            ws.onClose(ctx -> {
                RtcSignalSession s = sessions.remove(ctx.sessionId());
                if (s != null) {
                    s.onClosed();
                }
            });
        });
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
