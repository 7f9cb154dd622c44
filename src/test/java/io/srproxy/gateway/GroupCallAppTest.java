package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtc.Channel;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.Chromium;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import io.srproxy.web.CallAppPage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import io.srproxy.testsupport.RunsAlone;

/**
 * Group calls in the call app at {@code /}, end to end: six app users in tabs of one headless
 * Chromium (each tab's microphone its own tone) and baresip as acc_rule extension 1009 (its own
 * tone), behind Kamailio. 2001 starts a group call with
 * 2002, 2003, 2004 and 1009 by typing the numbers; the pages accept, the phone is invited with
 * {@code Conference: true} and answers: every page's WebAudio finds the four other tones on the
 * four remote tracks; a mute shows in the others' participant lists; 2001 adds 2005 mid-call, who
 * is heard by all and hears all; 2002 leaves and the others go on hearing each other; 2001 adds
 * 2006, whom the others hear on the m-lines 2002 left idle (an m-line re-used for a new member:
 * Chrome showed nothing there when the m-line came back with its old SSRC; audio and video alike,
 * and audio is far cheaper here than six tabs sending video); baresip's recording has the pages'
 * tones and not its own. 2002, joining while 2004's invitation rings, lists 2004 as ringing.
 * When the others have left, the last page, alone, ends the call by itself.
 */
@RunsAlone
class GroupCallAppTest {

    private static final String PHONE = "1009";
    private static final double PHONE_TONE = 1000;
    /** 2001..2005; far enough apart for the pages' FFT (5.9 Hz bins) and the phone's 8 kHz G.711. */
    private static final Map<String, Double> TONES = new LinkedHashMap<>();

    static {
        TONES.put("2001", 520.0);
        TONES.put("2002", 760.0);
        TONES.put("2003", 1240.0);
        TONES.put("2004", 1480.0);
        TONES.put("2005", 1760.0);
        TONES.put("2006", 2020.0);
    }

    /** Five pages together stay below full scale in the phone's mix. */
    private static final double AMPLITUDE = 0.15;
    private static final Duration SETUP = Duration.ofSeconds(40);

    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), PHONE, "");
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

    @Test
    void fourPagesAndAPhoneInOneGroupCallThenOneJoinsAndOneLeaves() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        ChromeDriver browser = Chromium.startForTabs();
        Map<String, CallAppPage> pages = new LinkedHashMap<>();
        try (BaresipPhone phone = BaresipPhone.start(PHONE, kamailio.port(), PHONE_TONE)) {
            for (var e : TONES.entrySet()) {
                CallAppPage page = CallAppPage.inTab(browser, srproxy.webPort(), e.getValue(), AMPLITUDE);
                pages.put(e.getKey(), page);
                page.login(e.getKey());
            }
            CallAppPage host = pages.get("2001");
            host.groupCall(List.of("2002", "2003", "2004", PHONE), false);
            for (String uid : List.of("2002", "2003", "2004")) {
                CallAppPage page = pages.get(uid);
                page.awaitScreen("incoming");
                assertThat(page.text("incoming-kind")).isEqualTo("Group audio call with " + String.join(", ",
                        List.of("2002", "2003", "2004", PHONE).stream().filter(u -> !u.equals(uid)).toList()));
                page.click("accept-call");
                page.awaitScreen("group");
                if (uid.equals("2002")) { // joins while 2004's invitation still rings: learns of it
                    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(page.participants().get("2004"))
                            .as("2002's list").isIn("calling", "ringing"));
                }
            }
            await().atMost(SETUP).until(() -> inRoom(host).containsAll(List.of("2001", "2002", "2003", "2004", PHONE)));
            Channel channel = channel(host);
            assertThat(channel.mixing()).as("a phone among five members: mixed").isTrue();

            List<String> first = List.of("2001", "2002", "2003", "2004");
            for (String uid : first) {
                hearsAllOthers(pages.get(uid), uid, withPhone(first));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> host.participants().values().stream()
                    .filter(s -> s.startsWith("joined")).count() == 5);
            assertThat(host.participants()).containsKeys("2001", "2002", "2003", "2004", PHONE);
            await().atMost(Duration.ofSeconds(15)).until(() -> host.largeTile() != null);

            // a mute shows in the others' lists
            pages.get("2003").click("group-mute");
            await().atMost(Duration.ofSeconds(10)).until(() -> "joined muted".equals(host.participants().get("2003")));
            pages.get("2003").click("group-mute");
            await().atMost(Duration.ofSeconds(10)).until(() -> "joined".equals(host.participants().get("2003")));
            host.screenshot("20-group-call");

            // a fifth user is added during the call
            host.addParticipant("2005");
            CallAppPage fifth = pages.get("2005");
            fifth.awaitScreen("incoming");
            fifth.click("accept-call");
            fifth.awaitScreen("group");
            await().atMost(SETUP).until(() -> channel.uids().contains("2005"));
            List<String> all = List.of("2001", "2002", "2003", "2004", "2005");
            hearsAllOthers(fifth, "2005", withPhone(all));
            for (String uid : first) {
                CallAppPage page = pages.get(uid);
                await().atMost(SETUP).untilAsserted(() -> assertThat(page.remotePeaks().get("2005"))
                        .as("%s hears 2005", uid).isNotNull().isCloseTo(TONES.get("2005"), org.assertj.core.data.Offset.offset(15.0)));
            }
            // the m-line each page receives 2002's audio on: idle once 2002 leaves, then re-used
            Map<String, Long> mid2002 = new LinkedHashMap<>();
            for (String uid : List.of("2001", "2003", "2004", "2005")) {
                mid2002.put(uid, pages.get(uid).remoteMedia("audio").get("2002").get("mid"));
            }

            // 2002 leaves; the others' call goes on
            pages.get("2002").leave();
            await().atMost(Duration.ofSeconds(10)).until(() -> !channel.uids().contains("2002"));
            List<String> rest = List.of("2001", "2003", "2004", "2005");
            for (String uid : rest) {
                CallAppPage page = pages.get(uid);
                assertThat(page.screen()).as("%s still in the call", uid).isEqualTo("group");
                await().atMost(Duration.ofSeconds(10)).until(() -> !"joined".equals(page.participants().get("2002")));
                hearsAllOthers(page, uid, withPhone(rest));
            }
            assertThat(channel.mixing()).isTrue();

            // 2006 joins after 2002 left: the others receive it on the m-lines 2002's media left idle
            host.addParticipant("2006");
            CallAppPage sixth = pages.get("2006");
            sixth.awaitScreen("incoming");
            sixth.click("accept-call");
            sixth.awaitScreen("group");
            await().atMost(SETUP).until(() -> channel.uids().contains("2006"));
            List<String> last = List.of("2001", "2003", "2004", "2005", "2006");
            hearsAllOthers(sixth, "2006", withPhone(last));
            for (String uid : rest) {
                CallAppPage page = pages.get(uid);
                await().atMost(SETUP).untilAsserted(() -> assertThat(page.remotePeaks().get("2006"))
                        .as("%s hears 2006", uid).isNotNull().isCloseTo(TONES.get("2006"), org.assertj.core.data.Offset.offset(15.0)));
                assertThat(page.remoteMedia("audio").get("2006").get("mid")).as("%s re-uses 2002's m-line", uid).isEqualTo(mid2002.get(uid));
            }

            Thread.sleep(2000); // the end of the mix in baresip's recording
            phone.hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> !channel.uids().contains(PHONE));
            Path rec = await().atMost(Duration.ofSeconds(15)).until(phone::receivedRecording, r -> r.isPresent()).get();
            await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
            Tones.Pcm pcm = Tones.readWav(rec);
            for (String uid : last) {
                assertThat(secondsWith(pcm, TONES.get(uid), 0.05)).as("baresip hears %s", uid).isGreaterThanOrEqualTo(2);
            }
            assertThat(meanShare(pcm, PHONE_TONE)).as("baresip does not hear itself").isLessThan(0.02);

            // the others leave; the last one, alone, leaves by itself
            for (String uid : List.of("2001", "2003", "2004", "2006")) {
                pages.get(uid).leave();
            }
            fifth.awaitScreen("idle");
            assertThat(fifth.notice()).isEqualTo("Everyone else left the call");
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.rtc().channels().size() == 0);
        } catch (Throwable t) {
            for (var e : pages.entrySet()) {
                try {
                    System.out.printf("page %s: screen %s, notice '%s', participants %s%n", e.getKey(), e.getValue().screen(),
                            e.getValue().notice(), e.getValue().participants());
                    e.getValue().screenshot("group-failed-" + e.getKey());
                } catch (RuntimeException ignored) {
                    // the page itself is what failed
                }
            }
            throw t;
        } finally {
            browser.quit();
        }
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
        assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isZero();
    }

    private static List<String> withPhone(List<String> uids) {
        List<String> l = new ArrayList<>(uids);
        l.add(PHONE);
        return l;
    }

    /** The room of the host's group call: its channel id from the page. */
    private static List<String> inRoom(CallAppPage host) {
        return srproxy.rtc().channels().channel(chanId(host)).map(Channel::uids).orElse(List.of());
    }

    private static Channel channel(CallAppPage host) {
        return srproxy.rtc().channels().channel(chanId(host)).orElseThrow();
    }

    private static String chanId(CallAppPage host) {
        return String.valueOf(host.js("return window.srproxyApp.state.call.chanId;"));
    }

    /** Page {@code me} finds every other member's tone on that member's own track, all in one measurement. */
    private static void hearsAllOthers(CallAppPage page, String me, List<String> members) {
        await().atMost(SETUP).untilAsserted(() -> {
            Map<String, Double> peaks = page.remotePeaks();
            for (String other : members) {
                if (!other.equals(me)) {
                    double tone = other.equals(PHONE) ? PHONE_TONE : TONES.get(other);
                    assertThat(peaks.get(other)).as("%s hears %s (all: %s)", me, other, peaks)
                            .isNotNull().isCloseTo(tone, org.assertj.core.data.Offset.offset(15.0));
                }
            }
        });
    }

    /** One-second windows of the recording in which the tone has more than {@code share} of the power. */
    private static long secondsWith(Tones.Pcm pcm, double hz, double share) {
        int rate = pcm.sampleRate();
        short[] s = pcm.samples();
        long n = 0;
        for (int at = 0; at + rate <= s.length; at += rate) {
            if (Tones.relativePower(Arrays.copyOfRange(s, at, at + rate), rate, hz) > share) {
                n++;
            }
        }
        return n;
    }

    private static double meanShare(Tones.Pcm pcm, double hz) {
        int rate = pcm.sampleRate();
        short[] s = pcm.samples();
        double sum = 0;
        int n = 0;
        for (int at = rate; at + rate <= s.length; at += rate) { // the first second may hold the answer's clicks
            sum += Tones.relativePower(Arrays.copyOfRange(s, at, at + rate), rate, hz);
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }
}
