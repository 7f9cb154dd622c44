package io.srproxy.rtc.ws;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtm.LoginPolicy;
import io.srproxy.web.WebModule;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The /rtc WebSocket (channel join/leave, SDP, publish and mute events) and the browser SDK file. */
public final class RtcWebModule implements WebModule, AutoCloseable {

    private final RtcService rtc;
    private final String appId;
    private final LoginPolicy joinPolicy;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, RtcSignalSession> sessions = new ConcurrentHashMap<>();
    private final ExecutorService pool;

    /** Any uid may join (tests of the media path); srproxy itself uses the other constructor. */
    public RtcWebModule(RtcService rtc, String appId) {
        this(rtc, appId, LoginPolicy.appIdOnly(appId));
    }

    /**
     * {@code joinPolicy} is RTM's login policy: every /rtc join is a remote one, so it must bring a
     * token when app_cert is set and may not take the gateway's uids (its SIP legs join in-process).
     */
    public RtcWebModule(RtcService rtc, String appId, LoginPolicy joinPolicy) {
        this.rtc = rtc;
        this.appId = appId;
        this.joinPolicy = joinPolicy;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "rtc-signal-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.ws("/rtc", ws -> {
            ws.onConnect(ctx -> {
                ctx.enableAutomaticPings();
                java.net.SocketAddress local = ctx.session.getLocalSocketAddress();
                sessions.put(ctx.sessionId(), new RtcSignalSession(rtc, appId, joinPolicy, json, ctx::send, pool,
                        local instanceof java.net.InetSocketAddress in ? in.getAddress() : null));
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
