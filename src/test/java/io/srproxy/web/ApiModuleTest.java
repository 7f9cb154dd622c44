package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.gateway.CallLog;
import io.srproxy.gateway.CallRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import io.srproxy.GatewayAdminView;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiModuleTest {

    private static JsonNode get(WebServer web, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void servesConfigCallsAndStats() throws Exception {
        RtxConfig config = RtxConfigBinder.bind(RtxFile.parse("[global]\nappid=demo\napp_cert=x\n", "t")).config();
        CallLog log = new CallLog();
        Instant t0 = Instant.parse("2026-11-26T12:00:00Z");
        CallRecord done = CallRecord.started("c1", CallRecord.Direction.APP_TO_SIP, "4321", "1005", "123456789", t0)
                .answered(t0.plusSeconds(3)).withCodecs("opus", "PCMU");
        log.started(done);
        log.ended(done.ended(t0.plusSeconds(30), "sip hung up"));
        log.started(CallRecord.started("c2", CallRecord.Direction.SIP_TO_APP, "1234", "1005", "987654321", t0));
        try (WebServer web = new WebServer("127.0.0.1", 0, List.of(new ApiModule(config, new GatewayAdminView(log, Optional.empty())))).start()) {
            JsonNode cfg = get(web, "/api/config");
            assertThat(cfg.get("appId").asText()).isEqualTo("demo");
            assertThat(cfg.get("tokenRequired").asBoolean()).isTrue();
            JsonNode calls = get(web, "/api/calls");
            assertThat(calls.get("active")).hasSize(1);
            assertThat(calls.get("active").get(0).get("direction").asText()).isEqualTo("SIP_TO_APP");
            JsonNode recent = calls.get("recent").get(0);
            assertThat(recent.get("endReason").asText()).isEqualTo("sip hung up");
            assertThat(recent.get("answeredAt").asText()).isEqualTo("2026-11-26T12:00:03Z");
            assertThat(recent.get("codecs").get("sip").asText()).isEqualTo("PCMU");
            JsonNode stats = get(web, "/api/stats");
            assertThat(stats.get("activeCalls").asLong()).isEqualTo(1);
            assertThat(stats.get("totalCalls").asLong()).isEqualTo(2);
            assertThat(stats.get("answeredCalls").asLong()).isEqualTo(1);
            assertThat(stats.get("callsByDirection").get("APP_TO_SIP").asLong()).isEqualTo(1);
        }
    }
}
