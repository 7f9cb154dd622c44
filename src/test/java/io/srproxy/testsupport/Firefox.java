package io.srproxy.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi, the protocol Firefox speaks itself
 * (Debian has no geckodriver and nothing may be downloaded): started with
 * {@code --remote-debugging-port 0}, it prints the WebSocket to connect to. Only what the tests
 * need: open a page, run a script (promises awaited) and read its JSON value. Fake media devices
 * (Firefox's fake microphone is a 1 kHz tone), ICE host candidates without mDNS. Firefox 153
 * gathers no loopback candidate whatever the prefs say, so calls run it in a {@link NetNamespace}.
 */
public final class Firefox implements AutoCloseable {

    /** The frequency of Firefox's fake microphone. */
    public static final int FAKE_MIC_HZ = 1000;

    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Process relay;
    private final ServerSocket hostRelay;
    private final Path profile;
    private final Connection bidi;
    private final String context;

    private Firefox(Process process, Process relay, ServerSocket hostRelay, Path profile, Connection bidi)
            throws Exception {
        this.process = process;
        this.relay = relay;
        this.hostRelay = hostRelay;
        this.profile = profile;
        this.bidi = bidi;
        bidi.send("session.new", JSON.createObjectNode().set("capabilities", JSON.createObjectNode()));
        JsonNode tree = bidi.send("browsingContext.getTree", JSON.createObjectNode());
        this.context = tree.path("contexts").get(0).path("context").asText();
    }

    /** Starts a headless Firefox with a fresh profile, in this host's network. */
    public static Firefox start() throws Exception {
        return start(null, null);
    }

    /**
     * Starts a headless Firefox inside {@code ns}, where its only ICE host candidate is the
     * namespace's address (Firefox gathers none on loopback), treating pages from {@code
     * pageHost} as a secure context (getUserMedia) though served over plain http. Its BiDi server
     * listens on the namespace's loopback only: {@link TcpRelay}s here and there make it reachable.
     */
    public static Firefox startIn(NetNamespace ns, String pageHost) throws Exception {
        return start(ns, pageHost);
    }

    private static Firefox start(NetNamespace ns, String pageHost) throws Exception {
        Path binary = Peers.firefox();
        Path profile = Files.createTempDirectory("srproxy-firefox");
        List<String> prefs = new ArrayList<>(List.of(
                "user_pref('media.navigator.streams.fake', true);",
                "user_pref('media.navigator.permission.disabled', true);",
                "user_pref('media.autoplay.default', 0);",
                "user_pref('media.autoplay.blocking_policy', 0);",
                "user_pref('media.autoplay.block-webaudio', false);",
                // no sound device here: a mock audio backend, else an AudioContext never leaves 'suspended'
                "user_pref('media.cubeb.force_mock_context', true);",
                // host candidates unmasked (no mDNS) on every interface Firefox sees
                "user_pref('media.peerconnection.ice.obfuscate_host_addresses', false);",
                "user_pref('media.peerconnection.ice.default_address_only', false);",
                "user_pref('media.peerconnection.ice.loopback', true);",
                // nothing leaves the machine
                "user_pref('app.update.enabled', false);",
                "user_pref('app.normandy.enabled', false);",
                "user_pref('browser.shell.checkDefaultBrowser', false);",
                "user_pref('browser.startup.homepage_override.mstone', 'ignore');",
                "user_pref('datareporting.policy.dataSubmissionEnabled', false);",
                "user_pref('datareporting.healthreport.uploadEnabled', false);",
                "user_pref('toolkit.telemetry.enabled', false);",
                "user_pref('network.captive-portal-service.enabled', false);",
                "user_pref('network.connectivity-service.enabled', false);",
                "user_pref('browser.safebrowsing.malware.enabled', false);",
                "user_pref('browser.safebrowsing.phishing.enabled', false);",
                "user_pref('extensions.update.enabled', false);",
                "user_pref('remote.prefs.recommended', true);"));
        if (pageHost != null) {
            prefs.add("user_pref('dom.securecontext.allowlist', '" + pageHost + "');");
        }
        prefs.add("");
        Files.writeString(profile.resolve("user.js"), String.join("\n", prefs));
        // in a namespace: BiDi on a port free on this host's loopback too, relayed from here into the
        // namespace and there to its loopback, so that the Host header is the 127.0.0.1:port Firefox wants
        int bidiPort = ns == null ? 0 : FreePorts.tcpAndUdp();
        ServerSocket hostRelay = ns == null ? null : TcpRelay.start(new InetSocketAddress("127.0.0.1", bidiPort),
                new InetSocketAddress(ns.address(), bidiPort));
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-remote", "--profile",
                profile.toString(), "--remote-debugging-port", Integer.toString(bidiPort),
                "about:blank"));
        Process p = new ProcessBuilder(ns == null ? command : ns.exec(command.toArray(String[]::new)))
                .redirectErrorStream(true).start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
                url.completeExceptionally(new IOException("firefox exited before BiDi was listening"));
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
        }, "firefox-output");
        reader.setDaemon(true);
        reader.start();
        Process nsRelay = null;
        try {
            String ws = url.get(60, TimeUnit.SECONDS);
            if (ns != null) {
                nsRelay = startRelay(ns, URI.create(ws).getPort());
            }
            Connection bidi = new Connection();
            bidi.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(ws + "/session"), bidi).get(30, TimeUnit.SECONDS);
            return new Firefox(p, nsRelay, hostRelay, profile, bidi);
        } catch (Exception e) {
            p.destroyForcibly();
            if (nsRelay != null) {
                nsRelay.destroyForcibly();
            }
            if (hostRelay != null) {
                hostRelay.close();
            }
            throw e;
        }
    }

    /** A {@link TcpRelay} in {@code ns} from its address to its loopback, same port; started when it says so. */
    private static Process startRelay(NetNamespace ns, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(TcpRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process relay = new ProcessBuilder(ns.exec(java, "-cp", classes, TcpRelay.class.getName(), ns.address(),
                Integer.toString(port), "127.0.0.1", Integer.toString(port))).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (IOException e) {
                return e.toString();
            }
        });
        String line = first.get(30, TimeUnit.SECONDS);
        if (!TcpRelay.READY.equals(line)) {
            relay.destroyForcibly();
            throw new IOException("relay to Firefox's BiDi in " + ns.name() + " did not start: " + line);
        }
        return relay;
    }

    /** The BiDi WebSocket: commands by id, each answered once; events are not used. */
    private static final class Connection implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder text = new StringBuilder();
        private volatile WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                answered(text.toString());
                text.setLength(0);
            }
            s.request(1);
            return null;
        }

        private void answered(String message) {
            try {
                JsonNode m = JSON.readTree(message);
                CompletableFuture<JsonNode> f = m.has("id") ? pending.remove(m.get("id").asInt()) : null;
                if (f == null) {
                    return; // an event
                }
                if ("error".equals(m.path("type").asText())) {
                    f.completeExceptionally(new IllegalStateException("BiDi " + m.path("error").asText() + ": "
                            + m.path("message").asText()));
                } else {
                    f.complete(m.path("result"));
                }
            } catch (IOException e) {
                // not JSON: nothing waits for it
            }
        }

        JsonNode send(String method, ObjectNode params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
            m.set("params", params);
            socket.sendText(JSON.writeValueAsString(m), true).get(10, TimeUnit.SECONDS);
            return f.get(120, TimeUnit.SECONDS); // a loaded machine starts Firefox slowly
        }
    }

    /** Opens {@code url} and waits until it has loaded. */
    public void open(String url) throws Exception {
        bidi.send("browsingContext.navigate", JSON.createObjectNode().put("context", context).put("url", url).put("wait", "complete"));
    }

    /**
     * Runs {@code expression} in the page (a promise is awaited) and returns its value as JSON
     * (undefined and null as a JSON null); a thrown error fails with its message.
     */
    public JsonNode eval(String expression) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("awaitPromise", true)
                .put("resultOwnership", "none");
        params.putObject("target").put("context", context);
        params.putObject("serializationOptions").put("maxObjectDepth", 4);
        JsonNode r = bidi.send("script.evaluate", params);
        if ("exception".equals(r.path("type").asText())) {
            throw new IllegalStateException("page script failed: " + r.path("exceptionDetails").path("text").asText());
        }
        return plain(r.path("result"));
    }

    /** BiDi's typed remote value as plain JSON (primitives, arrays, objects). */
    private static JsonNode plain(JsonNode v) {
        switch (v.path("type").asText()) {
            case "string", "number", "boolean":
                return v.path("value");
            case "array": {
                var a = JSON.createArrayNode();
                v.path("value").forEach(e -> a.add(plain(e)));
                return a;
            }
            case "object": {
                var o = JSON.createObjectNode();
                v.path("value").forEach(kv -> o.set(kv.get(0).asText(), plain(kv.get(1))));
                return o;
            }
            default:
                return JSON.nullNode();
        }
    }

    @Override
    public void close() {
        try {
            bidi.send("browser.close", JSON.createObjectNode());
        } catch (Exception e) {
            // closing anyway
        }
        bidi.socket.abort();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        if (relay != null) {
            try {
                relay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (hostRelay != null) {
            try {
                hostRelay.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind
        }
    }
}
