package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.LinphonePhone;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import io.srproxy.web.CallAppPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second phone beside baresip: Debian's linphonec (its own SIP stack, belle-sip, and its own
 * offer: Opus, Speex, G.711, G.729) registered at Kamailio (as 1006, then as 1007: each test
 * its own extension, so no stale registration is called), called by the call app in Chromium
 * and calling it; the app sends 440 Hz, linphone 1000 Hz, each is found in
 * what the other side heard.
 */
class LinphoneCallTest {

    private static final double APP_TONE = 440;
    private static final double PHONE_TONE = 1000;

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), "1006;1007", "[media]\ncodecs=opus,G722,PCMU,PCMA\n");
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

    private static Path appTone() throws Exception {
        Path wav = dir.resolve("app-tone.wav");
        if (!Files.exists(wav)) {
            Tones.writeWav(wav, Tones.sine(APP_TONE, 48000, 30, 0.5), 48000);
        }
        return wav;
    }

    private static void awaitAppHearsThePhone(CallAppPage page, LinphonePhone phone) {
        try {
            await("the app hears linphone's 1000 Hz").atMost(Duration.ofSeconds(20))
                    .until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; linphonec said:\n" + tail(phone.output()), e);
        }
    }

    /** Once the call has ended: linphone's recording holds the app's tone (its own tone not echoed back). */
    private static void assertPhoneHeardTheApp(LinphonePhone phone) throws Exception {
        await("linphone ends the call").atMost(Duration.ofSeconds(15)).until(phone::callEnded);
        await("linphone's recording").atMost(Duration.ofSeconds(10)).ignoreExceptions() // its header is written last
                .until(() -> Tones.readWav(phone.recording()).samples().length > 8000);
        Tones.Pcm pcm = Tones.readWav(phone.recording());
        short[] heard = Arrays.copyOfRange(pcm.samples(), Math.min(pcm.samples().length, pcm.sampleRate()), pcm.samples().length);
        // the clearest second: on a loaded machine Opus concealment smears parts of the recording
        double best = 0;
        for (int at = 0; at + pcm.sampleRate() <= heard.length; at += pcm.sampleRate() / 2) {
            best = Math.max(best, Tones.relativePower(Arrays.copyOfRange(heard, at, at + pcm.sampleRate()),
                    pcm.sampleRate(), APP_TONE));
        }
        assertThat(best).as("440 Hz from the browser at linphone").isGreaterThan(0.2);
        assertThat(Tones.relativePower(heard, pcm.sampleRate(), PHONE_TONE)).as("no echo of linphone's own tone")
                .isLessThan(0.05);
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    @Test
    void appCallsLinphoneAndEachHearsTheOther() throws Exception {
        try (LinphonePhone phone = LinphonePhone.start("1006", kamailio.port(), PHONE_TONE);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4331");
            page.dial("1006", false);
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 50);
            awaitAppHearsThePhone(page, phone);
            page.click("hang-up");
            page.awaitScreen("idle");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("app hung up"));
            assertPhoneHeardTheApp(phone);
        }
    }

    @Test
    void linphoneCallsAppWhichAcceptsAndEachHearsTheOther() throws Exception {
        try (LinphonePhone phone = LinphonePhone.start("1007", kamailio.port(), PHONE_TONE);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4332");
            phone.dial("04332");
            page.awaitScreen("incoming");
            assertThat(page.text("incoming-peer")).isEqualTo("1007");
            page.click("accept-call");
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 50);
            awaitAppHearsThePhone(page, phone);
            phone.hangUp();
            page.awaitScreen("idle");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertPhoneHeardTheApp(phone);
        }
    }
}
