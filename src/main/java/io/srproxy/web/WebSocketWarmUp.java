package io.srproxy.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket upgrade request to our own port right after start. Javalin 7.2.3 sets up its
 * WebSocket servlet configuration lazily on the first upgrade, without thread safety (a kotlin
 * {@code UnsafeLazyImpl}): when many apps reconnect at once after a restart, the first concurrent
 * upgrades could fail with a NullPointerException. Doing the first one ourselves, alone, closes
 * that window. The path does not exist; the answer does not matter.
 */
final class WebSocketWarmUp {

    private static final Logger log = LoggerFactory.getLogger(WebSocketWarmUp.class);
    private static final int TIMEOUT_MS = 3000;

    private WebSocketWarmUp() {}

    /** {@code host} as configured (a wildcard means loopback); {@code tls}: the port speaks TLS. */
    static void prime(String host, int port, boolean tls) {
        InetAddress target;
        try {
            InetAddress bound = InetAddress.getByName(host);
            target = bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
        } catch (IOException e) {
            log.debug("WebSocket warm-up skipped: {}", e.toString());
            return;
        }
        try (Socket socket = tls ? selfTls().getSocketFactory().createSocket() : new Socket()) {
            socket.connect(new InetSocketAddress(target, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /.srproxy-warm-up HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: c3Jwcm94eS13YXJtLXVwIQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            in.read(new byte[256]); // the status line is enough: the servlet has been through its set-up
        } catch (Exception e) {
            log.debug("WebSocket warm-up failed (harmless): {}", e.toString());
        }
    }

    /** TLS to our own port only: nothing secret is sent, and the certificate is our own. */
    private static SSLContext selfTls() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return ctx;
    }
}
