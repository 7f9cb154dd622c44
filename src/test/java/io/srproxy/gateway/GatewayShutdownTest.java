package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.sip.RegistrationState;
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
            int rtpBase = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
            String conf = String.join("\n",
                    "[global]", "appid=stop", "sip_svr=127.0.0.1:" + kamailio.port(), "sip_local_ip=127.0.0.1",
                    "sip_local_port=" + FreePorts.tcpAndUdp(),
                    "[rtm]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                    "[rtc]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                    "[rtm2sip]", "on=1", "acc_rule=1005",
                    "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                    "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 100), "");
            Srproxy srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "stop.conf")).config());
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.sip().orElseThrow().registrations().stream()
                    .allMatch(r -> r.state() == RegistrationState.REGISTERED));
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
