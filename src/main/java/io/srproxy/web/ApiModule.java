package io.srproxy.web;

import io.javalin.config.RoutesConfig;
import io.srproxy.config.RtxConfig;
import java.util.Map;

/**
 * Read-only JSON for the web client and the admin page: {@code /api/config} (what a client needs
 * to log in), {@code /api/calls} (active and recent calls), {@code /api/stats} (counters),
 * {@code /api/registrations} and {@code /api/accounts} (the gateway's SIP and RTM identities),
 * {@code /api/cluster} (this node and the live nodes, with {@code [cluster]}).
 */
public final class ApiModule implements WebModule {

    private final RtxConfig config;
    private final AdminView view;

    public ApiModule(RtxConfig config, AdminView view) {
        this.config = config;
        this.view = view;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get("/admin", ctx -> ctx.redirect("/admin.html"));
        routes.get("/api/config", ctx -> ctx.json(Map.of(
                "appId", config.global().appId(),
                "tokenRequired", config.global().appCert().isPresent())));
        routes.get("/api/calls", ctx -> ctx.json(Map.of("active", view.activeCalls(), "recent", view.recentCalls())));
        routes.get("/api/registrations", ctx -> ctx.json(view.registrations()));
        routes.get("/api/accounts", ctx -> ctx.json(view.accounts()));
        routes.get("/api/stats", ctx -> ctx.json(view.stats()));
        routes.get("/api/cluster", ctx -> ctx.json(view.cluster()));
    }
}
