package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtc.Channel;
import io.srproxy.rtc.browser.BrowserPage;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
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
 * The legs without a browser (wrong PINs, 20 dial-ins in a row, an app inviting an extension into
 * its group call) are in ConferenceLegsTest, which runs beside other classes.
 */
@RunsAlone
class ConferenceDialInTest {

    private static final String ROOM = DialIn.ROOM;
    private static final String PIN = DialIn.PIN;
    /** Two pages and the phone: the smallest group the mixer serves; three pages were too slow to start on a loaded 2-core machine. */
    private static final List<String> UIDS = List.of("ann", "ben");
    private static final List<Double> TONES = List.of(520.0, 1480.0);
    private static final double PHONE_TONE = 1000;
    private static final String PHONE_UID = "sip~1005";
    private static final Duration SETUP = Duration.ofSeconds(40);

    @TempDir
    static Path dir;

    private static DialIn.Rig rig;
    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        rig = DialIn.Rig.start();
        kamailio = rig.kamailio();
        srproxy = rig.srproxy();
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private static boolean inRoom(String uid) {
        return rig.inRoom(uid);
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
            DialIn.keyPin(phone, PIN + "#");
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
                assertThat(DialIn.meanShare(heard, pcm.sampleRate(), TONES.get(i))).as("baresip hears %s", UIDS.get(i))
                        .isGreaterThan(0.1);
            }
            assertThat(DialIn.meanShare(heard, pcm.sampleRate(), PHONE_TONE)).as("baresip does not hear itself")
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
}
