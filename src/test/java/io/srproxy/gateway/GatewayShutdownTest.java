package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Stopping srproxy mid-call: the phone gets BYE, the app gets EndCall, the registration is removed. */
class GatewayShutdownTest {

    @Test
    void stoppingHangsUpCallsAndUnregisters() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000)) {
            Srproxy srproxy = GatewayUnderTest.start("stop", kamailio.port(), "1005", "");
            try (AppUser app = new AppUser(srproxy.webPort(), "stop", "7001")) {
                app.invite("1005", "{\"Mode\":1}");
                app.awaitStartingWith("accepted ");

                long started = System.nanoTime();
                srproxy.close();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));

                assertThat(app.events).anyMatch(e -> e.equals("message 1005 {\"Cmd\":\"EndCall\"}"));
                await().atMost(Duration.ofSeconds(5)).until(() -> phone.output().contains("session closed: Connection reset by peer"));
                assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("shutting down"));
            }
            // Expires 0 was sent: Kamailio no longer knows where 1000 is
            phone.dial("01234");
            await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("session closed: 480 srproxy not registered"));
        }
    }
}
