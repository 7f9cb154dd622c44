package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtc.Channel;
import io.srproxy.rtc.browser.BrowserPage;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.srproxy.testsupport.RunsAlone;

/**
 * Phones in conferences, end to end: srproxy with {@code [conference] on=1, prefix=8, pin=4321}
 * registered at Kamailio (which sends 8xxx to srproxy's extension, as the README's snippet does),
 * two headless Chromium pages talking in RTC channel 4242 (520 and 1480 Hz), and baresip (1000
 * Hz, offering G.722 first, which srproxy lists first too: a conference leg is answered PCMU all the
 * same, the mixer having no G.722) dialling 84242 and keying the PIN: each page finds the phone's tone on the phone's own track
 * and keeps hearing the other pages; baresip's recording has the pages' tones and not its own.
 * Wrong PINs get a BYE; 20 dial-ins and hang-ups leave no member, mixer or call behind. An app
 * in a group call invites extension 1009 (baresip preferring Opus) with {@code Conference: true}:
 * it is offered G.711 only, joins that channel and is heard there, and hangs up when the others have left.
 */
@RunsAlone
class ConferenceDialInTest {

    private static final String ROOM = "4242";
    private static final String PIN = "4321";
    /** Two pages and the phone: the smallest group the mixer serves; three pages were too slow to start on a loaded 2-core machine. */
    private static final List<String> UIDS = List.of("ann", "ben");
    private static final List<Double> TONES = List.of(520.0, 1480.0);
    private static final double PHONE_TONE = 1000;
    private static final String PHONE_UID = "sip~1005";
    private static final Duration SETUP = Duration.ofSeconds(40);

    @TempDir
    static Path dir;

    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), "1009",
                "[media]\ncodecs=G722,PCMU,PCMA,opus\n[conference]\non=1\nprefix=8\npin=" + PIN + "\n");
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

    private static void keyPin(BaresipPhone phone, String digits) throws InterruptedException {
        for (char c : digits.toCharArray()) {
            phone.sendDigit(c);
            Thread.sleep(250); // one RFC 4733 event after the other
        }
    }

    /**
     * The tone's share of the power, averaged over one-second windows: over a whole recording a
     * mix's small clock offsets and jitter-buffer seams smear a tone past a Goertzel filter that
     * narrow.
     */
    private static double meanShare(short[] samples, int rate, double hz) {
        double sum = 0;
        int n = 0;
        for (int at = 0; at + rate <= samples.length; at += rate) {
            sum += Tones.relativePower(Arrays.copyOfRange(samples, at, at + rate), rate, hz);
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    private static boolean inRoom(String uid) {
        return srproxy.rtc().channels().channel(ROOM).map(c -> c.uids().contains(uid)).orElse(false);
    }

    @Test
    void aPhoneDialsIntoTalkingPagesWithThePinAndAllHearEachOther() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        int n = UIDS.size();
        BrowserPage[] pages = new BrowserPage[n];
        try (BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE, BaresipPhone.Codecs.G722_FIRST)) {
            for (int i = 0; i < n; i++) {
                Path wav = Tones.writeWav(dir.resolve(UIDS.get(i) + ".wav"), Tones.sine(TONES.get(i), 48000, 4, 0.25), 48000); // three together stay below full scale in the mix
                pages[i] = new BrowserPage(wav, srproxy.webPort());
                assertThat(pages[i].join(ROOM, UIDS.get(i), false, "vp8")).isEqualTo("ok");
            }
            phone.dial("8" + ROOM);
            await().atMost(Duration.ofSeconds(40)).until(() -> srproxy.calls().active().size() == 1
                    && srproxy.calls().active().get(0).wasAnswered());
            assertThat(inRoom(PHONE_UID)).as("not in the room before the PIN").isFalse();
            keyPin(phone, PIN + "#");
            await().atMost(Duration.ofSeconds(30)).until(() -> inRoom(PHONE_UID)); // the first mixer loads libopus: slow on a loaded machine
            Channel channel = srproxy.rtc().channels().channel(ROOM).orElseThrow();
            assertThat(channel.mixing()).isTrue();
            assertThat(srproxy.calls().active().get(0).sipCodec()).as("answered G.711, not G.722").hasValue("PCMU");

            for (int i = 0; i < n; i++) {
                BrowserPage page = pages[i];
                String me = UIDS.get(i);
                await().atMost(SETUP).untilAsserted(() -> assertThat(page.remotePeakHz(PHONE_UID))
                        .as("%s hears the phone (events %s)", me, page.events()).isCloseTo(PHONE_TONE, Offset.offset(20.0)));
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        String other = UIDS.get(j);
                        double otherTone = TONES.get(j);
                        await().atMost(SETUP).untilAsserted(() -> assertThat(page.remotePeakHz(other))
                                .as("%s hears %s", me, other).isCloseTo(otherTone, Offset.offset(20.0)));
                    }
                }
            }
            Thread.sleep(3000); // a few seconds of the mix in baresip's recording
            phone.hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> !inRoom(PHONE_UID));
            await().atMost(Duration.ofSeconds(10)).until(() -> !channel.mixing());
            Path rec = await().atMost(Duration.ofSeconds(15)).until(phone::receivedRecording, r -> r.isPresent()).get();
            await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
            Tones.Pcm pcm = Tones.readWav(rec);
            short[] heard = Arrays.copyOfRange(pcm.samples(), Math.min(pcm.samples().length, pcm.sampleRate()), pcm.samples().length);
            for (int i = 0; i < n; i++) {
                assertThat(meanShare(heard, pcm.sampleRate(), TONES.get(i))).as("baresip hears %s", UIDS.get(i))
                        .isGreaterThan(0.1);
            }
            assertThat(meanShare(heard, pcm.sampleRate(), PHONE_TONE)).as("baresip does not hear itself")
                    .isLessThan(0.02);
        } finally {
            for (BrowserPage p : pages) {
                if (p != null) {
                    p.close();
                }
            }
        }
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
        assertThat(srproxy.calls().recent().get(0).direction()).isEqualTo(CallRecord.Direction.SIP_TO_CONFERENCE);
    }

    @Test
    void threeWrongPinsGetABye() throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1006", kamailio.port(), PHONE_TONE)) {
            phone.dial("8" + ROOM);
            await().atMost(Duration.ofSeconds(15)).until(() -> srproxy.calls().active().size() == 1
                    && srproxy.calls().active().get(0).wasAnswered());
            keyPin(phone, "1111#2222#");
            Thread.sleep(500);
            assertThat(srproxy.calls().active()).hasSize(1); // two wrong: still asked
            keyPin(phone, "3333#");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("wrong PIN 3 times"));
            assertThat(inRoom("sip~1006")).isFalse();
        }
    }

    @Test
    void twentyDialInsAndHangUpsLeaveNothingBehind() throws Exception {
        int portsBefore = srproxy.sip().orElseThrow().rtpPortsInUse();
        io.srproxy.rtc.CapturingTransport listener = new io.srproxy.rtc.CapturingTransport(0x4444, io.srproxy.rtc.Codec.opus(111));
        try (BaresipPhone phone = BaresipPhone.start("1007", kamailio.port(), PHONE_TONE);
             BaresipPhone other = BaresipPhone.start("1008", kamailio.port(), 700)) {
            // an in-process app and a phone make a 1:1; each dial-in of a second phone makes a group
            srproxy.rtc().channels().join(ROOM, "listener", listener, e -> { }, true);
            other.dial("8" + ROOM);
            await().atMost(Duration.ofSeconds(15)).until(() -> srproxy.calls().active().size() == 1
                    && srproxy.calls().active().get(0).wasAnswered());
            keyPin(other, PIN + "#");
            await().atMost(Duration.ofSeconds(10)).until(() -> inRoom("sip~1008"));
            Channel channel = srproxy.rtc().channels().channel(ROOM).orElseThrow();
            for (int i = 0; i < 20; i++) {
                phone.dial("8" + ROOM);
                await().atMost(Duration.ofSeconds(15)).until(() -> srproxy.calls().active().size() == 2);
                keyPin(phone, PIN + "#");
                await().atMost(Duration.ofSeconds(10)).until(() -> inRoom("sip~1007"));
                assertThat(channel.mixing()).isTrue();
                assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isEqualTo(1);
                if (i == 0) {
                    assertThat(io.srproxy.testsupport.PromScrape.parse(srproxy.metrics().scrape()).value("srproxy_rtc_mixers")).isEqualTo(1);
                }
                phone.hangUp();
                await().atMost(Duration.ofSeconds(10)).until(() -> !inRoom("sip~1007") && srproxy.calls().active().size() == 1);
            }
            assertThat(channel.uids()).containsExactly("listener", "sip~1008");
            assertThat(channel.mixing()).isFalse();
            assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isZero();
            other.hangUp();
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            srproxy.rtc().channels().leave(ROOM, "listener", "done");
        }
        assertThat(srproxy.rtc().channels().size()).isZero();
        assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isZero();
        assertThat(io.srproxy.testsupport.PromScrape.parse(srproxy.metrics().scrape()).value("srproxy_rtc_mixers")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.sip().orElseThrow().activeCalls() == 0);
        assertThat(srproxy.sip().orElseThrow().rtpPortsInUse()).isEqualTo(portsBefore);
    }

    @Test
    void anAppInvitesAnExtensionIntoItsGroupCall() throws Exception {
        String room = "777000111";
        io.srproxy.rtc.CapturingTransport g1 = new io.srproxy.rtc.CapturingTransport(0x5151, io.srproxy.rtc.Codec.opus(111));
        io.srproxy.rtc.CapturingTransport g2 = new io.srproxy.rtc.CapturingTransport(0x5252, io.srproxy.rtc.Codec.opus(111));
        try (BaresipPhone phone = BaresipPhone.start("1009", kamailio.port(), PHONE_TONE, BaresipPhone.Codecs.OPUS_FIRST);
             AppUser app = new AppUser(srproxy.webPort(), "srproxy", "g1")) {
            srproxy.rtc().channels().join(room, "g1", g1, e -> { }, true);
            srproxy.rtc().channels().join(room, "g2", g2, e -> { }, true);
            app.invite("1009", "{\"Mode\":1,\"Conference\":true,\"ChanId\":\"" + room + "\"}");
            app.awaitStartingWith("accepted");
            Channel channel = srproxy.rtc().channels().channel(room).orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.uids().contains("1009"));
            assertThat(channel.uids()).containsExactly("g1", "g2", "1009");
            assertThat(channel.mixing()).isTrue();
            assertThat(srproxy.calls().active().get(0).sipCodec()).as("offered G.711 only").hasValue("PCMU");
            long ssrc = channel.subscribe("g1", List.of(new io.srproxy.rtc.Member.Want("1", io.srproxy.rtc.MediaKind.AUDIO, "1009")))
                    .get(0).ssrc();
            await().atMost(Duration.ofSeconds(15)).until(() -> g1.sent().stream()
                    .filter(p -> io.srproxy.rtc.rtp.RtpHeader.ssrc(p, 0) == ssrc).count() > 100);
            short[] heard = new short[200 * 960];
            int at = 0;
            try (io.srproxy.rtc.codec.OpusDecoder d = new io.srproxy.rtc.codec.OpusDecoder(8000)) {
                for (byte[] p : g1.sent()) {
                    if (io.srproxy.rtc.rtp.RtpHeader.ssrc(p, 0) == ssrc && at + 960 <= heard.length) {
                        at += Math.max(0, d.decode(p, 12, p.length - 12, heard, at));
                    }
                }
            }
            assertThat(meanShare(Arrays.copyOfRange(heard, 800, at), 8000, PHONE_TONE)).as("g1 hears the phone").isGreaterThan(0.5);
            // the others leave: the phone, alone, is hung up
            srproxy.rtc().channels().leave(room, "g1", "bye");
            srproxy.rtc().channels().leave(room, "g2", "bye");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertThat(srproxy.calls().recent().get(0).endReason())
                    .hasValueSatisfying(r -> assertThat(r).contains("everyone else left the conference"));
        }
    }
}
