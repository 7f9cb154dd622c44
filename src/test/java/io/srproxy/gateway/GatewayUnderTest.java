package io.srproxy.gateway;

import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.sip.RegistrationState;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;

/**
 * srproxy as the gateway tests run it: everything on loopback and free ports, registered as 1000
 * (password 1234, RTM uid 1086) at the Kamailio on {@code sipServerPort}. {@code extra} adds or
 * overrides sections, e.g. "[rtm2sip]\nacc_rule=1005\n".
 */
final class GatewayUnderTest {

    private GatewayUnderTest() {}

    static String config(String appId, int sipServerPort, String accRule, String extra) {
        return config("127.0.0.1", appId, sipServerPort, accRule, extra);
    }

    /** As above, with everything (SIP server, SIP and RTP, signalling, media) on {@code host}: 127.0.0.1 or ::1. */
    static String config(String host, String appId, int sipServerPort, String accRule, String extra) {
        int rtpBase = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
        String uriHost = host.contains(":") ? "[" + host + "]" : host;
        return String.join("\n",
                "[global]", "appid=" + appId, "sip_svr=" + uriHost + ":" + sipServerPort, "sip_local_ip=" + host,
                "sip_local_port=" + FreePorts.tcpAndUdp(),
                "[rtm]", "ip=" + host, "port=" + FreePorts.tcpAndUdp(),
                "[rtc]", "ip=" + host, "port=" + FreePorts.tcpAndUdp(),
                "[rtm2sip]", "on=1", "acc_rule=" + accRule,
                "[pstn]", "prefix=9",
                "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 400), "") + extra;
    }

    /** Waits until every bridged call has ended. */
    static void awaitNoActiveCalls(Srproxy srproxy) {
        awaitNoActiveCalls(srproxy, Duration.ofSeconds(15));
    }

    static void awaitNoActiveCalls(Srproxy srproxy, Duration atMost) {
        await().atMost(atMost).until(() -> srproxy.calls().active().isEmpty());
    }

    /** Starts srproxy and waits until its extension is registered. */
    static Srproxy start(String appId, int sipServerPort, String accRule, String extra) {
        return startOn("127.0.0.1", appId, sipServerPort, accRule, extra);
    }

    /** As {@link #start}, on {@code host} (see {@link #config(String, String, int, String, String)}). */
    static Srproxy startOn(String host, String appId, int sipServerPort, String accRule, String extra) {
        Srproxy srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(
                config(host, appId, sipServerPort, accRule, extra), appId + ".conf")).config());
        await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.sip().orElseThrow().registrations().stream()
                .allMatch(r -> r.state() == RegistrationState.REGISTERED));
        return srproxy;
    }
}
