package io.srproxy.web;

import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketCreator;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;

/**
 * A WebSocket endpoint served by Jetty itself rather than through Javalin's {@code ws()} routes.
 * Javalin keeps each upgrade's whole HTTP request (headers three times over, parser, servlet
 * request and response, an HTTP session) for the socket's life: about 5 KB per idle user, which
 * matters for the /rtm socket every logged-in app holds. The servlet's exact path mapping takes
 * precedence over Javalin's {@code /*}, and the same frame limits apply as to Javalin's sockets.
 */
public final class DirectWebSocket {

    private DirectWebSocket() {
    }

    /** Serves {@code path} with the endpoint {@code creator} makes for each upgrade. */
    public static void register(ServletContextHandler context, String path, JettyWebSocketCreator creator) {
        register(context, path, creator, () -> { });
    }

    /** As {@link #register(ServletContextHandler, String, JettyWebSocketCreator)}; {@code onStop} runs when the server stops. */
    public static void register(ServletContextHandler context, String path, JettyWebSocketCreator creator, Runnable onStop) {
        context.addServlet(new ServletHolder(new JettyWebSocketServlet() {
            @Override
            protected void configure(JettyWebSocketServletFactory factory) {
                applyLimits(factory);
                factory.setCreator(creator);
            }

            @Override
            public void destroy() {
                onStop.run();
                super.destroy();
            }
        }), path);
    }

    /** The frame and idle limits of every srproxy WebSocket. */
    static void applyLimits(JettyWebSocketServletFactory ws) {
        ws.setMaxTextMessageSize(WebServer.MAX_WS_MESSAGE_BYTES);
        ws.setMaxBinaryMessageSize(WebServer.MAX_WS_MESSAGE_BYTES);
        ws.setIdleTimeout(Duration.ofSeconds(60));
    }
}
