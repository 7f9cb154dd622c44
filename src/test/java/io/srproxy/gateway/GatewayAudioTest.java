package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.PromScrape;
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
 * The product end to end: the call app in headless Chromium, srproxy, Kamailio in FreeSWITCH's
 * role and baresip as extension 1005, with audio proven both ways by tones: the browser sends
 * 440 Hz, baresip sends 1000 Hz, each is found in what the other side heard.
 */
class GatewayAudioTest {

    static final double APP_TONE = 440;
    static final double PHONE_TONE = 1000;

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        // Opus first: a phone that has it talks Opus end to end; a G.722 or G.711 phone calling an
        // app gets its codec passed through to the browser; an app calling a G.711-only phone is
        // passed through too: the app joined with Opus before the answer, and srproxy's
        // "renegotiate" moves it to the phone's codec
        srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), "1005", "[media]\ncodecs=opus,G722,PCMU,PCMA\n");
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
        return appTone(dir);
    }

    /** The app's 440 Hz tone as the call app plays it (48 kHz), written into {@code in} once. */
    static Path appTone(Path in) throws Exception {
        Path wav = in.resolve("app-tone.wav");
        if (!Files.exists(wav)) {
            Tones.writeWav(wav, Tones.sine(APP_TONE, 48000, 30, 0.5), 48000);
        }
        return wav;
    }

    private static short[] skipStart(short[] samples, int rate) {
        return Arrays.copyOfRange(samples, Math.min(samples.length, rate / 2), samples.length);
    }

    /** Once the call has ended: baresip's recording holds the app's 440 Hz, not its own 1000 Hz. */
    static void assertPhoneHeardTheApp(BaresipPhone phone) throws Exception {
        Path rec = await().atMost(Duration.ofSeconds(15)).until(phone::receivedRecording, r -> r.isPresent()).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
        Tones.Pcm pcm = Tones.readWav(rec);
        short[] heard = skipStart(pcm.samples(), pcm.sampleRate());
        assertThat(Tones.relativePower(heard, pcm.sampleRate(), APP_TONE)).as("440 Hz from the browser at baresip").isGreaterThan(0.2);
        assertThat(Tones.relativePower(heard, pcm.sampleRate(), PHONE_TONE)).as("no echo of baresip's own tone").isLessThan(0.05);
    }

    /** The series a call through the gateway must move: invitations, media both ways on both legs, transcoding. */
    private static final String[] CALL_SERIES = {
        "srproxy_rtm_invitations_total{outcome=\"accepted\"}",
        "srproxy_media_packets_total{direction=\"in\",leg=\"webrtc\"}",
        "srproxy_media_packets_total{direction=\"out\",leg=\"webrtc\"}",
        "srproxy_media_bytes_total{direction=\"in\",leg=\"webrtc\"}",
        "srproxy_media_bytes_total{direction=\"out\",leg=\"webrtc\"}",
        "srproxy_media_packets_total{direction=\"in\",leg=\"sip\"}",
        "srproxy_media_packets_total{direction=\"out\",leg=\"sip\"}",
        "srproxy_media_bytes_total{direction=\"in\",leg=\"sip\"}",
        "srproxy_media_bytes_total{direction=\"out\",leg=\"sip\"}",
        "srproxy_rtc_transcoding_started_total",
    };

    private static PromScrape scrape() {
        return PromScrape.parse(srproxy.metrics().scrape());
    }

    @Test
    void appCallsExtensionAudioBothWaysThenAppHangsUp() throws Exception {
        PromScrape before = scrape();
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4321");
            page.dial("1005", false);
            page.awaitScreen("incall");
            page.screenshot("gateway-app-to-sip-in-call");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 50);
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            assertThat(srproxy.calls().active()).singleElement().satisfies(c -> assertThat(c.sipCodec()).contains("PCMU"));
            // the app joined with Opus before the phone answered; the renegotiation moved it to PCMU
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.calls().active().get(0).appCodec(),
                    app -> app.filter("PCMU"::equalsIgnoreCase).isPresent());
            assertPassedThrough("PCMU");
            long heard = page.receivedPackets();
            await().atMost(Duration.ofSeconds(10)).until(page::receivedPackets, n -> n > heard + 50);
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            page.click("hang-up");
            page.awaitScreen("idle");
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.calls().active().isEmpty());
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("app hung up"));
            assertPhoneHeardTheApp(phone);
        }
        PromScrape after = scrape();
        for (String series : CALL_SERIES) {
            assertThat(after.value(series)).as(series).isGreaterThan(before.value(series));
        }
        assertThat(after.value("srproxy_rtc_channels_transcoding")).isZero();
        assertThat(after.value("srproxy_media_packets_lost_total{leg=\"sip\"}")).as("loopback loses nothing")
                .isLessThan(after.value("srproxy_media_packets_total{direction=\"in\",leg=\"sip\"}") / 10);
    }

    /**
     * Opus end to end: baresip prefers Opus, so the router forwards the browser's Opus as it is;
     * DTMF still goes both ways.
     */
    @Test
    void appCallsOpusPhoneAndOpusIsForwardedBothWaysWithoutTranscoding() throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE, BaresipPhone.Codecs.OPUS_FIRST);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4324");
            page.dial("1005", false);
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 50);
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            CallRecord call = srproxy.calls().active().get(0);
            assertThat(call.sipCodec()).hasValueSatisfying(c -> assertThat(c).isEqualToIgnoringCase("opus"));
            assertThat(srproxy.rtc().channels().channel(call.channelId()).orElseThrow().transcoding()).as("transcoding").isFalse();
            // baresip has only 8 kHz telephone-events beside Opus: the browser's 48 kHz events are re-timed for it
            page.pressTone('4');
            await().atMost(Duration.ofSeconds(10)).until(phone::receivedDigits, "4"::equals);
            phone.sendDigit('9');
            await().atMost(Duration.ofSeconds(10)).until(() -> page.text("incall-received"), "9"::equals);
            page.click("hang-up");
            page.awaitScreen("idle");
            assertPhoneHeardTheApp(phone);
        }
    }

    /**
     * DTMF both ways: the app's keypad makes Chromium send 48 kHz telephone-events, srproxy re-times
     * them into the PCMU leg's 8 kHz stream, and baresip reports each digit once; a digit baresip
     * sends arrives in the app as {"Cmd":"Dtmf"} and is shown.
     */
    @Test
    void keypadDigitsReachThePhoneAsRfc4733AndThePhonesDigitIsShown() throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4323");
            page.dial("1005", false);
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 10);
            page.pressTone('1');
            page.pressTone('2');
            page.pressTone('3');
            await().atMost(Duration.ofSeconds(10)).until(phone::receivedDigits, "123"::equals);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(phone::receivedDigits, "123"::equals);
            assertThat(page.text("incall-sent")).isEqualTo("123");

            phone.sendDigit('5');
            await().atMost(Duration.ofSeconds(10)).until(() -> page.text("incall-received"), "5"::equals);
            page.screenshot("gateway-dtmf-in-call");
            page.click("hang-up");
            page.awaitScreen("idle");
        }
    }

    /**
     * SIP -> app with a PCMU phone: the browser's answer takes PCMU, so srproxy only forwards
     * (no transcoding channel in the metrics); audio and DTMF both ways.
     */
    @Test
    void phoneCallsAppWhichAcceptsAudioAndDigitsBothWaysThenPhoneHangsUp() throws Exception {
        PromScrape before = scrape();
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4322");
            phone.dial("04322");
            page.awaitScreen("incoming");
            assertThat(page.text("incoming-peer")).isEqualTo("1005");
            page.screenshot("gateway-sip-to-app-incoming");
            page.click("accept-call");
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 50);
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            assertPassedThrough("PCMU");
            phone.sendDigit('8');
            await().atMost(Duration.ofSeconds(10)).until(() -> page.text("incall-received"), "8"::equals);
            page.pressTone('#');
            await().atMost(Duration.ofSeconds(10)).until(phone::receivedDigits, "#"::equals);
            phone.hangUp();
            page.awaitScreen("idle");
            assertThat(page.notice()).contains("hung up");
            assertPhoneHeardTheApp(phone);
        }
        assertNoTranscoderSince(before);
    }

    /**
     * G.722 end to end: baresip prefers G.722 (its g722 module), srproxy answers G722/8000 and the
     * browser takes G.722 too, so the 16 kHz audio is forwarded both ways without transcoding.
     */
    @Test
    void g722PhoneCallsAppAndG722IsPassedThroughBothWays() throws Exception {
        PromScrape before = scrape();
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE, BaresipPhone.Codecs.G722_FIRST);
             CallAppPage page = new CallAppPage(srproxy.webPort(), appTone())) {
            page.login("4325");
            phone.dial("04325");
            page.awaitScreen("incoming");
            page.click("accept-call");
            page.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(page::receivedPackets, n -> n > 50);
            await().atMost(Duration.ofSeconds(15)).until(page::remotePeakHz, hz -> Math.abs(hz - PHONE_TONE) < 30);
            assertPassedThrough("G722");
            phone.sendDigit('6');
            await().atMost(Duration.ofSeconds(10)).until(() -> page.text("incall-received"), "6"::equals);
            page.pressTone('7');
            await().atMost(Duration.ofSeconds(10)).until(phone::receivedDigits, "7"::equals);
            phone.hangUp();
            page.awaitScreen("idle");
            assertPhoneHeardTheApp(phone);
        }
        assertNoTranscoderSince(before);
    }

    /** The one active call speaks {@code codec} on the SIP side and its channel only forwards audio. */
    private static void assertPassedThrough(String codec) {
        CallRecord call = srproxy.calls().active().get(0);
        assertThat(call.sipCodec()).hasValueSatisfying(c -> assertThat(c).isEqualToIgnoringCase(codec));
        var channel = srproxy.rtc().channels().channel(call.channelId()).orElseThrow();
        assertThat(channel.transcoding()).as("transcoding").isFalse();
        assertThat(channel.passthrough()).as("passthrough").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> srproxy.calls().active().get(0).appCodec(),
                app -> app.filter(codec::equalsIgnoreCase).isPresent());
        // an earlier test's channel may still be closing: wait for the gauges to settle on this call alone
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            PromScrape now = scrape();
            assertThat(now.value("srproxy_rtc_channels_transcoding")).as("transcoding channels").isZero();
            assertThat(now.value("srproxy_rtc_channels_passthrough")).as("passthrough channels").isEqualTo(1);
        });
    }

    /** No pair was wired with a transcoder since {@code before}, and a passthrough pair was. */
    private static void assertNoTranscoderSince(PromScrape before) {
        PromScrape after = scrape();
        assertThat(after.value("srproxy_rtc_transcoding_started_total")).as("transcoders started")
                .isEqualTo(before.value("srproxy_rtc_transcoding_started_total"));
        assertThat(after.value("srproxy_rtc_passthrough_started_total")).as("passthrough pairs")
                .isGreaterThan(before.value("srproxy_rtc_passthrough_started_total"));
    }
}
