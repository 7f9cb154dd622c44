package io.srproxy.web;

import io.javalin.config.RoutesConfig;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * A part of srproxy that serves HTTP or WebSocket endpoints on the [rtm] port. Javalin 7 takes
 * routes only at configuration time, so each module adds its routes before the server starts.
 */
@FunctionalInterface
public interface WebModule {
    void addRoutes(RoutesConfig routes);

    /** Endpoints served by Jetty directly (see {@link DirectWebSocket}), added before the server starts. */
    default void addServlets(ServletContextHandler context) {
    }
}
