package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** [limits] max_calls: a call over the limit is refused in either direction, with a reason, and counted. */
class GatewayLimitsTest {

    @Test
    void callsOverTheLimitAreRefused() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000)) {
            try (Srproxy srproxy = GatewayUnderTest.start("lim", kamailio.port(), "1005;1006", "[limits]\nmax_calls=1\n");
                 AppUser first = new AppUser(srproxy.webPort(), "lim", "9001");
                 AppUser second = new AppUser(srproxy.webPort(), "lim", "9002")) {
                first.invite("1005", "{\"Mode\":1}");
                first.awaitStartingWith("accepted ");

                second.invite("1006", "{\"Mode\":1}");
                assertThat(second.awaitStartingWith("refused ")).contains("\"Code\":503", "call limit");

                phone.dial("09001"); // srproxy answers 503; a proxy turns that into 500 (RFC 3261 16.7)
                await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("09001@127.0.0.1:" + kamailio.port() + ";transport=udp: session closed: 500"));
                assertThat(srproxy.calls().active()).hasSize(1);
                first.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
                await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.calls().active().isEmpty());
            }
        }
    }
}
