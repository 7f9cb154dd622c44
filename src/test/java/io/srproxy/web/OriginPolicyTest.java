package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** [rtm] allowed_origins: CORS on the SDK files and which pages may open /rtm and /rtc. */
class OriginPolicyTest {

    private static final String ALLOWED = "http://app.example.com:8080";
    private static Srproxy srproxy;
    private static int port;

    @BeforeAll
    static void start() {
        port = FreePorts.tcpAndUdp();
        String conf = "[rtm]\nip=127.0.0.1\nport=" + port + "\nallowed_origins=" + ALLOWED + ",https://other.example.com\n"
                + "[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "origins.conf")).config());
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
    }

    @Test
    void aListedOriginMayOpenTheSocketsAndReadTheSdks() throws IOException {
        assertThat(upgrade("/rtm", ALLOWED)).startsWith("HTTP/1.1 101");
        assertThat(upgrade("/rtc", "HTTP://APP.example.com:8080")).startsWith("HTTP/1.1 101");
        String sdk = get("/sdk/ArRTC.js", ALLOWED);
        assertThat(sdk).startsWith("HTTP/1.1 200").containsIgnoringCase("Access-Control-Allow-Origin: " + ALLOWED)
                .contains("var ArRTC = (function () {");
        assertThat(get("/sdk/ArRTM.js", ALLOWED)).contains("var ArRTM = (function () {");
        assertThat(get("/srproxy-rtm.js", ALLOWED)).containsIgnoringCase("Access-Control-Allow-Origin: " + ALLOWED);
    }

    @Test
    void anotherOriginIsRefusedWithTheReason() throws IOException {
        String refused = upgrade("/rtm", "http://evil.example.com");
        assertThat(refused).startsWith("HTTP/1.1 403").contains("X-Srproxy-Refused: origin http://evil.example.com is not allowed",
                "[rtm] allowed_origins");
        assertThat(upgrade("/rtc", "http://evil.example.com")).startsWith("HTTP/1.1 403");
        assertThat(get("/sdk/ArRTC.js", "http://evil.example.com")).startsWith("HTTP/1.1 200")
                .doesNotContainIgnoringCase("Access-Control-Allow-Origin");
    }

    @Test
    void srproxysOwnPagesAndClientsWithoutAnOriginAreAlwaysLetIn() throws IOException {
        assertThat(upgrade("/rtm", "http://127.0.0.1:" + port)).startsWith("HTTP/1.1 101");
        assertThat(upgrade("/rtm", null)).startsWith("HTTP/1.1 101");
    }

    @Test
    void badOriginsInTheConfigAreNamed() {
        var binding = RtxConfigBinder.bind(RtxFile.parse("[rtm]\nallowed_origins=app.example.com,*\n", "bad.conf"));
        List<String> errors = binding.errors().stream().map(Object::toString).toList();
        assertThat(errors).anyMatch(e -> e.contains("allowed_origins") && e.contains("'app.example.com' is not a web origin"));
        assertThat(errors).anyMatch(e -> e.contains("use it alone"));
        assertThat(RtxConfigBinder.bind(RtxFile.parse("[rtm]\nport=7080\n", "any.conf")).config().rtm().allowedOrigins())
                .containsExactly("*");
    }

    private static String upgrade(String path, String origin) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n");
    }

    private static String get(String path, String origin) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nOrigin: " + origin
                + "\r\nConnection: close\r\n\r\n");
    }

    /**
     * Sends one request and reads the answer: up to the end of the headers when it is not a 200 (a
     * 101 leaves the socket open), else to the end (Connection: close).
     */
    private static String exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0 && text.length() < 200_000; ) {
                text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                if (text.indexOf("\r\n\r\n") >= 0 && !text.toString().startsWith("HTTP/1.1 200")) {
                    break;
                }
            }
            return text.toString();
        }
    }
}
