package io.srproxy.gateway;

import static io.srproxy.gateway.GatewayAudioTest.APP_TONE;
import static io.srproxy.gateway.GatewayAudioTest.PHONE_TONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import io.srproxy.web.CallAppPage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway on IPv6 alone: Kamailio listens on [::1] only, srproxy's SIP agent and RTP sockets
 * are bound to ::1 ({@code sip_svr=[::1]:port}, {@code sip_local_ip=::1}), baresip registers over
 * IPv6 and the page is loaded from http://[::1]:port/. So REGISTER, INVITE, the SDP on both legs
 * ({@code c=IN IP6 ::1}) and the RTP can only have gone over IPv6; tones prove audio both ways.
 */
class Ipv6GatewayCallTest {

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;
    private static Path appTone;

    @BeforeAll
    static void start() throws Exception {
        kamailio = KamailioServer.startOnIpv6("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.startOn("::1", "srproxy", kamailio.port(), "1005", "");
        appTone = Tones.writeWav(dir.resolve("app.wav"), Tones.sine(APP_TONE, 48000, 30, 0.5), 48000);
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    private static BaresipPhone phone() {
        return BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711, BaresipPhone.Account.udpIpv6(kamailio.port()));
    }

    private static CallAppPage page() {
        return new CallAppPage("http://[::1]:" + srproxy.webPort() + "/", appTone, null);
    }

    @Test
    void appCallsExtensionOverIpv6AndBothHearEachOther() throws Exception {
        try (BaresipPhone phone = phone(); CallAppPage page = page()) {
            page.login("4331");
            page.dial("1005", false);
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            page.click("hang-up");
            page.awaitScreen("idle");
            GatewayAudioTest.assertPhoneHeardTheApp(phone);
        }
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
    }

    @Test
    void extensionCallsAppOverIpv6AndBothHearEachOther() throws Exception {
        try (BaresipPhone phone = phone(); CallAppPage page = page()) {
            page.login("4332");
            phone.dial("04332");
            page.awaitScreen("incoming");
            assertThat(page.text("incoming-peer")).isEqualTo("1005");
            page.click("accept-call");
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            phone.hangUp();
            page.awaitScreen("idle");
            GatewayAudioTest.assertPhoneHeardTheApp(phone);
        }
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
    }
}
