package io.srproxy.web;

import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP server on the [rtm] address: the web client, /healthz, and every module's endpoints. */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    /** Largest WebSocket frame or message accepted; larger ones close the socket with 1009. */
    public static final long MAX_WS_MESSAGE_BYTES = 64 * 1024;

    private final Javalin app;

    public WebServer(String host, int port, List<WebModule> modules) {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.jetty.modifyWebSocketServletFactory(ws -> {
                ws.setMaxTextMessageSize(MAX_WS_MESSAGE_BYTES);
                ws.setMaxBinaryMessageSize(MAX_WS_MESSAGE_BYTES);
                ws.setIdleTimeout(Duration.ofSeconds(60));
            });
            cfg.staticFiles.add("/web", Location.CLASSPATH);
            modules.forEach(m -> m.addRoutes(cfg.routes));
        });
    }

    public WebServer start() {
        app.start();
        log.info("web server listening on {}", app.port());
        return this;
    }

    /** The bound port (useful when configured as 0 in tests). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
