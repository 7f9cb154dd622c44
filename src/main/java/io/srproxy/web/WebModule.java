package io.srproxy.web;

import io.javalin.config.RoutesConfig;

/**
 * A part of srproxy that serves HTTP or WebSocket endpoints on the [rtm] port. Javalin 7 takes
 * routes only at configuration time, so each module adds its routes before the server starts.
 */
@FunctionalInterface
public interface WebModule {
    void addRoutes(RoutesConfig routes);
}
