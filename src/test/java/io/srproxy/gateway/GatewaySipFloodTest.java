package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipOptionsFlood;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * [limits] sip_requests_per_second: a trusted source flooding OPTIONS is cut down to its budget
 * (the excess dropped) while a call through Kamailio, whose traffic is never limited, completes;
 * an untrusted source gets 403; both are counted in /metrics.
 */
class GatewaySipFloodTest {

    @Test
    void aFloodingSourceIsLimitedWhileACallThroughTheSipServerCompletes() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000);
             Srproxy srproxy = GatewayUnderTest.start("flood", kamailio.port(), "1005",
                     "[global]\nsip_trusted=127.0.0.2\n[limits]\nsip_requests_per_second=20\n");
             AppUser app = new AppUser(srproxy.webPort(), "flood", "9001")) {
            int sipPort = srproxy.sip().orElseThrow().port();
            // 1000 requests per second at most, 5000 in all: 50x the budget
            try (SipOptionsFlood flood = SipOptionsFlood.start("127.0.0.2", sipPort, 10, 5000)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> flood.answered(200) > 0 && srproxy.sip().orElseThrow().refusedRate() > 100);

                app.invite("1005", "{\"Mode\":1}");
                app.awaitStartingWith("accepted ");
                app.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
                await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.calls().active().isEmpty());

                flood.close();
                assertThat(flood.answered(200)).as("only the budget is answered").isLessThan(flood.sent() / 2);
            }
            try (SipOptionsFlood stranger = SipOptionsFlood.start("127.0.0.3", sipPort, 3, 3)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> stranger.answered(403) == 3);
            }
            String metrics = srproxy.metrics().scrape();
            assertThat(metrics).containsPattern("srproxy_sip_refused_total\\{reason=\"untrusted\"\\} 3\\.0")
                    .containsPattern("srproxy_sip_refused_total\\{reason=\"rate\"\\} [1-9]\\d{2,}")
                    .contains("srproxy_sip_refused_total{reason=\"stray-response\"} 0.0",
                            "srproxy_sip_refused_total{reason=\"tcp-limit\"} 0.0",
                            "srproxy_sip_refused_total{reason=\"too-large\"} 0.0", "srproxy_sip_tcp_connections ");
            assertThat(srproxy.calls().recent()).anySatisfy(r -> assertThat(r.answeredAt()).isPresent());
        }
    }
}
