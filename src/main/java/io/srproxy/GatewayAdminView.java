package io.srproxy;

import io.srproxy.gateway.CallLog;
import io.srproxy.gateway.CallRecord;
import io.srproxy.gateway.Gateway;
import io.srproxy.web.AdminView;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The admin API's view of the call log and the gateway (absent when no SIP direction is on). */
public final class GatewayAdminView implements AdminView {

    private final CallLog calls;
    private final Optional<Gateway> gateway;
    private final java.util.function.Supplier<Map<String, Object>> cluster;

    public GatewayAdminView(CallLog calls, Optional<Gateway> gateway) {
        this(calls, gateway, () -> Map.of("enabled", false));
    }

    public GatewayAdminView(CallLog calls, Optional<Gateway> gateway, java.util.function.Supplier<Map<String, Object>> cluster) {
        this.calls = calls;
        this.gateway = gateway;
        this.cluster = cluster;
    }

    @Override
    public Map<String, Object> cluster() {
        return cluster.get();
    }

    @Override
    public List<Map<String, Object>> activeCalls() {
        return calls.active().stream().map(GatewayAdminView::callJson).toList();
    }

    @Override
    public List<Map<String, Object>> recentCalls() {
        return calls.recent().stream().map(GatewayAdminView::callJson).toList();
    }

    @Override
    public Map<String, Object> stats() {
        CallLog.Stats s = calls.stats();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("activeCalls", s.active());
        body.put("totalCalls", s.total());
        body.put("answeredCalls", s.answered());
        body.put("failedCalls", s.failed());
        Map<String, Long> dirs = new LinkedHashMap<>();
        s.byDirection().forEach((d, n) -> dirs.put(d.name(), n));
        body.put("callsByDirection", dirs);
        return body;
    }

    @Override
    public List<?> registrations() {
        return gateway.map(Gateway::registrations).orElse(List.of());
    }

    @Override
    public List<?> accounts() {
        return gateway.map(g -> (List<?>) g.accounts()).orElse(List.of());
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
