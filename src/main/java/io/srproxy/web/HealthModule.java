package io.srproxy.web;

import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** {@code /healthz}: 200 "ok" while every registered check is up, 503 "degraded" otherwise. */
public final class HealthModule implements WebModule {

    /** One component's health: its name and whether it is up, with a short detail. */
    public record Check(String name, boolean up, String detail) {}

    private final CopyOnWriteArrayList<Supplier<Check>> checks = new CopyOnWriteArrayList<>();

    public void register(Supplier<Check> check) {
        checks.add(check);
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get("/healthz", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>();
            boolean allUp = true;
            Map<String, Object> parts = new LinkedHashMap<>();
            for (Supplier<Check> s : checks) {
                Check c = s.get();
                allUp &= c.up();
                parts.put(c.name(), Map.of("up", c.up(), "detail", c.detail()));
            }
            body.put("status", allUp ? "ok" : "degraded");
            body.put("checks", parts);
            ctx.status(allUp ? 200 : 503).json(body);
        });
    }
}
