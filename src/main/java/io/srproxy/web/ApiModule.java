package io.srproxy.web;

import io.javalin.config.RoutesConfig;
import io.srproxy.config.RtxConfig;
import io.srproxy.gateway.CallLog;
import io.srproxy.gateway.CallRecord;
import io.srproxy.gateway.Gateway;
import java.util.List;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only JSON for the web client and the admin page: {@code /api/config} (what a client needs
 * to log in), {@code /api/calls} (active and recent calls) and {@code /api/stats} (counters).
 */
public final class ApiModule implements WebModule {

    private final RtxConfig config;
    private final CallLog calls;
    private final Gateway gateway;

    /** {@code gateway} is null when no SIP direction is on. */
    public ApiModule(RtxConfig config, CallLog calls, Gateway gateway) {
        this.config = config;
        this.calls = calls;
        this.gateway = gateway;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get("/admin", ctx -> ctx.redirect("/admin.html"));
        routes.get("/api/config", ctx -> ctx.json(Map.of(
                "appId", config.global().appId(),
                "tokenRequired", config.global().appCert().isPresent())));
        routes.get("/api/calls", ctx -> ctx.json(Map.of(
                "active", calls.active().stream().map(ApiModule::callJson).toList(),
                "recent", calls.recent().stream().map(ApiModule::callJson).toList())));
        routes.get("/api/registrations", ctx -> ctx.json(gateway == null ? List.of() : gateway.registrations()));
        routes.get("/api/accounts", ctx -> ctx.json(gateway == null ? List.of() : gateway.accounts()));
        routes.get("/api/stats", ctx -> {
            CallLog.Stats s = calls.stats();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("activeCalls", s.active());
            body.put("totalCalls", s.total());
            body.put("answeredCalls", s.answered());
            body.put("failedCalls", s.failed());
            Map<String, Long> dirs = new LinkedHashMap<>();
            s.byDirection().forEach((d, n) -> dirs.put(d.name(), n));
            body.put("callsByDirection", dirs);
            ctx.json(body);
        });
    }

    static Map<String, Object> callJson(CallRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("direction", r.direction().name());
        m.put("uid", r.uid());
        m.put("sipNumber", r.sipNumber());
        m.put("channelId", r.channelId());
        m.put("startedAt", r.startedAt().toString());
        m.put("answeredAt", text(r.answeredAt()));
        m.put("endedAt", text(r.endedAt()));
        m.put("endReason", r.endReason().orElse(null));
        m.put("codecs", Map.of("app", r.appCodec().orElse(""), "sip", r.sipCodec().orElse("")));
        return m;
    }

    private static String text(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }
}
