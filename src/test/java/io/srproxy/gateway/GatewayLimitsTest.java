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

/** [limits] max_calls: a call over the limit is refused in either direction, with a reason, and counted. */
class GatewayLimitsTest {

    @Test
    void callsOverTheLimitAreRefused() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000)) {
            int rtpBase = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
            String conf = String.join("\n",
                    "[global]", "appid=lim", "sip_svr=127.0.0.1:" + kamailio.port(), "sip_local_ip=127.0.0.1",
                    "sip_local_port=" + FreePorts.tcpAndUdp(),
                    "[rtm]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                    "[rtc]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                    "[rtm2sip]", "on=1", "acc_rule=1005;1006",
                    "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                    "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 100),
                    "[limits]", "max_calls=1", "");
            try (Srproxy srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "lim.conf")).config());
                 AppUser first = new AppUser(srproxy.webPort(), "lim", "9001");
                 AppUser second = new AppUser(srproxy.webPort(), "lim", "9002")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.sip().orElseThrow().registrations().stream()
                        .allMatch(r -> r.state() == RegistrationState.REGISTERED));
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
