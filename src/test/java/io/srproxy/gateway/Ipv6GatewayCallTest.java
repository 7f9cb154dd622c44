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

    private static final String UID = "4331";

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;
    /** One browser for both calls (it is the slow part to start). */
    private static CallAppPage page;

    @BeforeAll
    static void start() throws Exception {
        kamailio = KamailioServer.startOnIpv6("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.startOn("::1", "srproxy", kamailio.port(), "1005", "");
        Path appTone = Tones.writeWav(dir.resolve("app.wav"), Tones.sine(APP_TONE, 48000, 30, 0.5), 48000);
        page = new CallAppPage("http://[::1]:" + srproxy.webPort() + "/", appTone, null);
        page.login(UID);
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

    private static BaresipPhone phone() {
        return BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711, BaresipPhone.Account.udpIpv6(kamailio.port()));
    }

    /** The page hears the phone's tone, and the call lasts long enough for the phone to record the page's. */
    private static void awaitTonesBothWays() {
        await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
        long heard = page.receivedPackets();
        await().atMost(Duration.ofSeconds(10)).until(page::receivedPackets, n -> n > heard + 100);
    }

    @Test
    void appCallsExtensionOverIpv6AndBothHearEachOther() throws Exception {
        try (BaresipPhone phone = phone()) {
            page.dial("1005", false);
            page.awaitScreen("incall");
            awaitTonesBothWays();
            page.click("hang-up");
            page.awaitScreen("idle");
            GatewayAudioTest.assertPhoneHeardTheApp(phone);
        }
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
    }

    @Test
    void extensionCallsAppOverIpv6AndBothHearEachOther() throws Exception {
        try (BaresipPhone phone = phone()) {
            phone.dial("0" + UID);
            page.awaitScreen("incoming");
            assertThat(page.text("incoming-peer")).isEqualTo("1005");
            page.click("accept-call");
            page.awaitScreen("incall");
            awaitTonesBothWays();
            phone.hangUp();
            page.awaitScreen("idle");
            GatewayAudioTest.assertPhoneHeardTheApp(phone);
        }
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
    }
}
