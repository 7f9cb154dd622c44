package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.web.CallAppPage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTLS-SRTP on the SIP leg through the whole gateway ({@code [media] sip_srtp=dtls}): the call app
 * in Chromium and baresip with its dtls_srtp module call each other; baresip sends no media before
 * DTLS keyed it, so the app hearing 1000 Hz and baresip's recording holding 440 Hz prove the leg.
 */
class GatewayDtlsSrtpTest {

    private static final double PHONE_TONE = 1000;

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;
    /** One browser for both calls: starting Chromium is most of what this class costs. */
    private static CallAppPage page;

    @BeforeAll
    static void start() throws Exception {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), "1005", "[media]\nsip_srtp=dtls\n");
        page = new CallAppPage(srproxy.webPort(), GatewayAudioTest.appTone(dir));
        page.login("4341");
    }

    @AfterAll
    static void stop() {
        if (page != null) {
            page.close();
        }
        if (srproxy != null) {
            srproxy.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    private static BaresipPhone dtlsPhone() {
        return BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711,
                new BaresipPhone.Account("udp", kamailio.port(), "dtls_srtp"));
    }

    private static void awaitAppHearsThePhone(BaresipPhone phone) {
        long before = page.receivedPackets();
        await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > before + 50);
        await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
        assertThat(phone.output()).as("baresip keyed the media by DTLS").contains("DTLS-SRTP complete");
    }

    @Test
    void appCallsBaresipOverDtlsSrtpAndEachHearsTheOther() throws Exception {
        try (BaresipPhone phone = dtlsPhone()) {
            page.dial("1005", false);
            page.awaitScreen("incall");
            awaitAppHearsThePhone(phone);
            page.click("hang-up");
            page.awaitScreen("idle");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            GatewayAudioTest.assertPhoneHeardTheApp(phone);
        }
    }

    @Test
    void baresipCallsAppOverDtlsSrtpAndEachHearsTheOther() throws Exception {
        try (BaresipPhone phone = dtlsPhone()) {
            phone.dial("04341");
            page.awaitScreen("incoming");
            page.click("accept-call");
            page.awaitScreen("incall");
            awaitAppHearsThePhone(phone);
            phone.hangUp();
            page.awaitScreen("idle");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            GatewayAudioTest.assertPhoneHeardTheApp(phone);
        }
    }
}
