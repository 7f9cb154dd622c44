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
    void healthSaysDegradedWhileTheSipRegistrationIsDown() throws Exception {
        String text = "[global]\nsip_svr=127.0.0.1:" + FreePorts.tcpAndUdp() + "\nsip_local_ip=127.0.0.1\nsip_local_port="
                + FreePorts.tcpAndUdp() + "\n[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport="
                + FreePorts.tcpAndUdp() + "\n[proxy]\non=1\nsip_account=1000\nsip_pwd=1234\nrtm_account=1086\n";
        RtxConfig config = RtxConfigBinder.bind(RtxFile.parse(text, "down.conf")).config();
        try (Srproxy srproxy = Srproxy.start(config)) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srproxy.webPort() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"degraded\"", "proxy extension not registered");
        }
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
