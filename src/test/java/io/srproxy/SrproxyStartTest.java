package io.srproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class SrproxyStartTest {

    static RtxConfig loopbackConfig() {
        String text = "[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport="
                + FreePorts.tcpAndUdp() + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        return RtxConfigBinder.bind(RtxFile.parse(text, "test.conf")).config();
    }

    @Test
    void startsServesHealthAndStops() throws Exception {
        RtxConfig config = loopbackConfig();
        try (Srproxy srproxy = Srproxy.start(config)) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srproxy.webPort() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srproxy.webPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds");
        }
    }
}
