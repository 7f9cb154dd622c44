package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.PromScrape;
import io.srproxy.testsupport.Tones;
import io.srproxy.web.CompatPage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anyRTC compatibility page (classic-script SDKs from another origin, private-cloud settings)
 * calling a SIP phone and called by one through srproxy, Kamailio and baresip, with tones heard
 * both ways: the page's 440 Hz at the phone, the phone's 1000 Hz in the page.
 */
class AnyRtcCompatSipTest {

    private static final double APP_TONE = 440;
    private static final double PHONE_TONE = 1000;

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;
    private static CompatPage.Origin pages;
    private static Path appTone;

    @BeforeAll
    static void start() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), "1005", "");
        pages = new CompatPage.Origin().pointAt("127.0.0.1:" + srproxy.webPort());
        appTone = Tones.writeWav(dir.resolve("app.wav"), Tones.sine(APP_TONE, 48000, 30, 0.5), 48000);
    }

    @AfterAll
    static void stop() {
        if (pages != null) {
            pages.close();
        }
        if (srproxy != null) {
            srproxy.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    private static void assertPhoneHeardTheApp(BaresipPhone phone) throws Exception {
        Path rec = await().atMost(Duration.ofSeconds(15)).until(phone::receivedRecording, r -> r.isPresent()).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
        Tones.Pcm pcm = Tones.readWav(rec);
        short[] heard = Arrays.copyOfRange(pcm.samples(), Math.min(pcm.samples().length, pcm.sampleRate() / 2), pcm.samples().length);
        assertThat(Tones.relativePower(heard, pcm.sampleRate(), APP_TONE)).as("440 Hz from the page at baresip").isGreaterThan(0.2);
    }

    private static double packetsSentToPhones() {
        return PromScrape.parse(srproxy.metrics().scrape()).value("srproxy_media_packets_total{direction=\"out\",leg=\"sip\"}");
    }

    /**
     * Before the hang-up: srproxy has sent the phone two seconds of the page's audio. The page can
     * hear the phone within a second, and a call ended then leaves baresip a recording too short to judge.
     */
    private static void awaitTwoSecondsSentToThePhone(double sentBefore) {
        await().atMost(Duration.ofSeconds(15)).until(() -> packetsSentToPhones() - sentBefore >= 100);
    }

    @Test
    void pageCallsThePhoneAndHangsUp() throws Exception {
        double sentBefore = packetsSentToPhones();
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             CompatPage page = pages.open(appTone, "7001")) {
            page.run("call", "1005", 1);
            page.awaitState("incall");
            await().atMost(Duration.ofSeconds(20)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            awaitTwoSecondsSentToThePhone(sentBefore);
            page.run("hangUp");
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.calls().active().isEmpty());
            assertPhoneHeardTheApp(phone);
            assertThat(page.errors()).isEmpty();
        }
    }

    @Test
    void phoneCallsThePageWhichAnswersAndThePhoneHangsUp() throws Exception {
        double sentBefore = packetsSentToPhones();
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             CompatPage page = pages.open(appTone, "7002")) {
            phone.dial("07002");
            page.awaitState("ringing");
            assertThat(page.events()).anyMatch(e -> e.startsWith("RemoteInvitationReceived:sip~"));
            page.run("accept", false);
            page.awaitState("incall");
            await().atMost(Duration.ofSeconds(20)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            awaitTwoSecondsSentToThePhone(sentBefore);
            phone.hangUp();
            page.awaitState("idle");
            assertThat(page.events()).anyMatch(e -> e.startsWith("ended:peer-"));
            assertPhoneHeardTheApp(phone);
            assertThat(page.errors()).isEmpty();
        }
    }
}
