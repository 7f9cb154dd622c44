package io.srproxy.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an srproxy still holds after a level's calls have ended, from its /metrics gauges: bridged
 * and SIP calls, RTC channels and WebRTC sessions. All zero when nothing was left behind.
 */
final class LeftBehind {

    static final List<String> GAUGES = List.of("srproxy_calls_active", "srproxy_sip_calls_active", "srproxy_rtc_channels",
            "srproxy_rtc_webrtc_sessions");

    private LeftBehind() {}

    /** Polls until every gauge is 0 or {@code seconds} pass; returns the last reading, each gauge summed over its labels. */
    static Map<String, Double> await(int webPort, int seconds) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Map<String, Double> last = Map.of();
        while (true) {
            try {
                String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                last = read(text);
            } catch (java.io.IOException e) {
                last = Map.of("metrics unreadable", -1.0);
            }
            if (last.values().stream().allMatch(v -> v == 0) || System.nanoTime() > deadline) {
                return last;
            }
            Thread.sleep(500);
        }
    }

    /** The {@link #GAUGES} of a Prometheus text scrape, each summed over its label sets. */
    static Map<String, Double> read(String scrape) {
        Map<String, Double> out = new LinkedHashMap<>();
        GAUGES.forEach(g -> out.put(g, 0.0));
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
            if (out.containsKey(name) && space > 0) {
                out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            }
        }
        return out;
    }
}
