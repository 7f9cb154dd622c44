package io.srproxy.web;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.srproxy.testsupport.Chromium;
import io.srproxy.testsupport.WebAudioProbe;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/** The anyRTC compatibility page (src/test/resources/anyrtc-compat) in headless Chromium. */
public final class CompatPage implements AutoCloseable {

    private final ChromeDriver driver;

    public CompatPage(String url, Path micWav) {
        driver = Chromium.start(micWav);
        try {
            driver.get(url);
            await("page loaded (errors: " + errorsQuietly() + ")").atMost(Duration.ofSeconds(20))
                    .until(() -> "loaded".equals(js("return window.compat ? window.compat.state : 'no compat object';")));
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs compat.NAME(args...) and waits for it. */
    public void run(String name, Object... args) {
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "window.compat[arguments[0]](...Array.from(arguments).slice(1, -1)).then(() => done(null), e => done(String(e)));",
                prepend(name, args));
    }

    private static Object[] prepend(String first, Object[] rest) {
        Object[] out = new Object[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    public String state() {
        return (String) js("return window.compat.state;");
    }

    public void awaitState(String state) {
        awaitState(state, Duration.ofSeconds(20));
    }

    public void awaitState(String state, Duration atMost) {
        await("state " + state + " (events: " + events() + ", errors: " + errors() + ")").atMost(atMost)
                .until(() -> state.equals(state()));
    }

    @SuppressWarnings("unchecked")
    public List<String> events() {
        return (List<String>) js("return window.compat.events.slice();");
    }

    @SuppressWarnings("unchecked")
    public List<String> errors() {
        return (List<String>) js("return window.compat.errors.slice();");
    }

    private String errorsQuietly() {
        try {
            return String.valueOf(js("return window.compat ? window.compat.errors : 'no compat object';"));
        } catch (RuntimeException e) {
            return "?";
        }
    }

    public void awaitEvent(String prefix) {
        awaitEvent(prefix, Duration.ofSeconds(20));
    }

    public void awaitEvent(String prefix, Duration atMost) {
        await("event " + prefix + " (events: " + events() + ", errors: " + errors() + ")").atMost(atMost)
                .until(() -> events().stream().anyMatch(e -> e.startsWith(prefix)));
    }

    /** The latest stats poll: call, localAudio, localVideo, remoteAudio, remoteVideo. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> stats() {
        return (Map<String, Object>) js("return window.compat.stats;");
    }

    /** The loudest frequency (Hz) of the remote user's audio; -1 when silent or absent. */
    public double remotePeakHz() {
        Object r = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "(async () => { const track = window.compat.remoteAudio(); if (!track) return -1;"
                + WebAudioProbe.PEAK_HZ_OF_TRACK + "})().then(done, e => done(-2));");
        return ((Number) r).doubleValue();
    }

    /** The loudest frequency (Hz) of group member {@code uid}'s audio; -1 when silent or absent. */
    public double remotePeakHz(String uid) {
        Object r = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; const uid = arguments[0];"
                + "(async () => { const track = window.compat.remoteAudioOf(uid); if (!track) return -1;"
                + WebAudioProbe.PEAK_HZ_OF_TRACK + "})().then(done, e => done(-2));", uid);
        return ((Number) r).doubleValue();
    }

    /** Width of group member {@code uid}'s video as decoded in the page (0: none yet). */
    public int videoWidthOf(String uid) {
        return ((Number) js("return window.compat.videoWidthOf(arguments[0]);", uid)).intValue();
    }

    /** Width of the remote video as decoded in the page (0: none yet). */
    public int remoteVideoWidth() {
        return ((Number) js("const v = document.querySelector('#remote-video video'); return v ? v.videoWidth : 0;")).intValue();
    }

    private boolean closed;

    /** Quits the browser (once; a test may close a page early). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.quit();
        }
    }

    /**
     * The page's own origin: a JDK HTTP server on a free loopback port serving
     * src/test/resources/anyrtc-compat with {{SRPROXY}} replaced by srproxy's host:port (settable
     * after start, since srproxy may need this server's origin in its config first).
     */
    public static final class Origin implements AutoCloseable {
        private final HttpServer server;
        private volatile String srproxy = "";

        public Origin() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            server.createContext("/", exchange -> {
                String name = exchange.getRequestURI().getPath().equals("/compat.js") ? "compat.js" : "index.html";
                byte[] body = resource(name).replace("{{SRPROXY}}", srproxy).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", name.endsWith(".js") ? "text/javascript" : "text/html");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        /** http://127.0.0.1:PORT, this server's origin. */
        public String origin() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        public Origin pointAt(String srproxyHostPort) {
            this.srproxy = srproxyHostPort;
            return this;
        }

        /** Opens the page with {@code micWav} as microphone and logs in as {@code uid}. */
        public CompatPage open(Path micWav, String uid) {
            return open(micWav, uid, false);
        }

        /** As {@link #open(Path, String)}; {@code sdkWide}: srproxy's address set by ArRTC.setParameters, not on the client. */
        public CompatPage open(Path micWav, String uid, boolean sdkWide) {
            CompatPage p = new CompatPage(origin() + "/index.html", micWav);
            try {
                p.run("login", uid, sdkWide);
                p.awaitState("idle");
                return p;
            } catch (RuntimeException | Error e) {
                p.close();
                throw e;
            }
        }

        private static String resource(String name) throws IOException {
            try (InputStream in = CompatPage.class.getResourceAsStream("/anyrtc-compat/" + name)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
