package io.srproxy.web;

import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.srproxy.auth.PemKeyStore;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP server on the [rtm] address: the web client, /healthz, and every module's endpoints. */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    /** Largest WebSocket frame or message accepted; larger ones close the socket with 1009. */
    public static final long MAX_WS_MESSAGE_BYTES = 64 * 1024;

    private final Javalin app;
    private final String host;
    private final boolean tls;

    public WebServer(String host, int port, List<WebModule> modules) {
        this(host, port, Optional.empty(), modules);
    }

    /** With a key store, the port serves HTTPS and WSS only. */
    public WebServer(String host, int port, Optional<KeyStore> tls, List<WebModule> modules) {
        this.host = host;
        this.tls = tls.isPresent();
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.jetty.modifyWebSocketServletFactory(DirectWebSocket::applyLimits);
            cfg.jetty.modifyServletContextHandler(context -> modules.forEach(m -> m.addServlets(context)));
            tls.ifPresent(keyStore -> cfg.jetty.addConnector((server, http) -> httpsConnector(server, http, host, port, keyStore)));
            cfg.staticFiles.add("/web", Location.CLASSPATH);
            modules.forEach(m -> m.addRoutes(cfg.routes));
        });
    }

    private static ServerConnector httpsConnector(Server server, HttpConfiguration http, String host, int port,
                                                  KeyStore keyStore) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore);
        ssl.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // trial certificates name localhost, clients may use 127.0.0.1
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    public WebServer start() {
        app.start();
        WebSocketWarmUp.prime(host, app.port(), tls);
        log.info("web server listening on port {}", app.port());
        return this;
    }

    /** For tests that look inside Javalin. */
    Javalin javalin() {
        return app;
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
