package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.srproxy.testsupport.RunsAlone;

/**
 * An ARCall-style group call on the anyRTC compatibility page (served from a second origin, SDKs
 * by script tag), four pages in headless Chromium: the caller invites two users with
 * {@code Conference: true} and the participants in {@code UserData}; they join the RTM channel
 * while it rings, accept, join the RTC channel and publish audio and video with dual stream asked
 * for after the join (as ARCall does); a channel message reaches the others; small videos get the
 * low layer and the large one the high layer ({@code setRemoteVideoStreamType}); a lost camera and
 * microphone raise {@code track-ended} and are unpublished; that member leaves and the others go
 * on; then a member invites a fourth user, whom the others see and hear on the m-lines the leaver's
 * media had, and who turns dual stream on after publishing, off and on.
 */
@RunsAlone
class AnyRtcCompatGroupTest {

    /** Four pages encoding two layers each keep two busy cores busy: media waits are generous. */
    private static final Duration MEDIA = Duration.ofSeconds(45);

    @TempDir
    static Path dir;

    private static Srproxy srproxy;
    private static CompatPage.Origin pages;

    @BeforeAll
    static void start() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        pages = new CompatPage.Origin();
        int webPort = FreePorts.tcpAndUdp();
        pages.pointAt("127.0.0.1:" + webPort);
        String conf = "[rtm]\nip=127.0.0.1\nport=" + webPort + "\nallowed_origins=" + pages.origin()
                + "\n[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp()
                + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "compat-group.conf")).config());
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
        if (pages != null) {
            pages.close();
        }
    }

    private static CompatPage open(String uid, int hz) throws Exception {
        Path wav = Tones.writeWav(dir.resolve(uid + ".wav"), Tones.sine(hz, 48000, 30, 0.5), 48000);
        return pages.open(wav, uid);
    }

    @Test
    void groupCallTheArCallWay() throws Exception {
        try (CompatPage a = open("7001", 500); CompatPage b = open("7002", 800); CompatPage c = open("7003", 1100);
             CompatPage d = open("7004", 1400)) {
            a.run("groupCall", List.of("7002", "7003", "7999"));
            b.awaitState("ringing");
            c.awaitState("ringing");
            assertThat(b.events()).anyMatch(e -> e.startsWith("conference:") && e.contains("7001") && e.contains("7002")
                    && e.contains("7003") && !e.contains("7999"));
            b.run("accept", false);
            c.run("accept", false);
            assertThat(c.events()).anyMatch(e -> e.startsWith("members-on-accept:") && e.contains("7001"));
            for (CompatPage p : List.of(a, b, c)) {
                p.awaitState("incall", MEDIA);
            }
            a.awaitEvent("group-accepted:7002");
            a.awaitEvent("group-accepted:7003");
            awaitPublished(a, "7002", "7003");
            awaitPublished(b, "7001", "7003");
            awaitPublished(c, "7001", "7002");

            // RTM channel: everyone is a member, a message reaches the others
            a.run("members");
            a.awaitEvent("members:7001,7002,7003");
            a.run("sendChannelMessage", "{\"Cmd\":\"Hello\"}");
            b.awaitEvent("ChannelMessage:7001:{\"Cmd\":\"Hello\"}");
            c.awaitEvent("ChannelMessage:7001:{\"Cmd\":\"Hello\"}");

            await("a hears b").atMost(MEDIA).until(() -> a.remotePeakHz("7002"), hz -> Math.abs(hz - 800) < 30);
            await("a hears c").atMost(MEDIA).until(() -> a.remotePeakHz("7003"), hz -> Math.abs(hz - 1100) < 30);

            // dual stream (enabled after the join): b's video is small on a's page (low layer), then large, then small
            awaitWidth(a, "7002", false, b);
            a.run("showLarge", "7002");
            awaitWidth(a, "7002", true, b);
            a.run("showLarge", "7001");
            awaitWidth(a, "7002", false, b);

            // c's camera and microphone go away: track-ended, and c unpublishes them
            c.run("loseDevice", "video", "stop");
            c.awaitEvent("track-ended:video");
            a.awaitEvent("user-unpublished:7003:video", MEDIA);
            c.run("loseDevice", "audio", "unplug");
            c.awaitEvent("track-ended:audio");
            b.awaitEvent("user-unpublished:7003:audio", MEDIA);
            assertThat(c.events()).filteredOn(e -> e.startsWith("track-ended:")).hasSize(2);

            // c leaves; the others go on
            c.run("leaveGroup");
            c.awaitState("idle");
            List<String> cErrors = c.errors();
            c.close(); // two busy cores: one browser fewer for the rest
            for (CompatPage p : List.of(a, b)) {
                p.awaitEvent("user-left:7003", MEDIA);
                p.awaitEvent("MemberLeft:7003", MEDIA);
                assertThat(p.state()).isEqualTo("incall");
            }
            await("a still hears b").atMost(MEDIA).until(() -> a.remotePeakHz("7002"), hz -> Math.abs(hz - 800) < 30);

            // b invites d mid-call, after c left: a's and b's pages re-use the m-lines c's media had
            // (srproxy gives them new SSRCs, else Chrome shows no video and plays no sound on them);
            // d turns dual stream on after publishing, off, and on again
            d.run("setDualAfterPublish", true);
            b.run("inviteMore", "7004");
            d.awaitState("ringing");
            assertThat(d.events()).anyMatch(e -> e.startsWith("conference:") && e.contains("7001") && e.contains("7002"));
            d.run("accept", false);
            d.awaitState("incall", MEDIA);
            b.awaitEvent("group-accepted:7004");
            awaitPublished(d, "7001", "7002");
            awaitPublished(a, "7004");
            a.awaitEvent("MemberJoined:7004");
            awaitWidth(a, "7004", false, d); // a takes d's low layer: d publishes two
            await("a hears d").atMost(MEDIA).until(() -> a.remotePeakHz("7004"), hz -> Math.abs(hz - 1400) < 30);
            await("d hears a").atMost(MEDIA).until(() -> d.remotePeakHz("7001"), hz -> Math.abs(hz - 500) < 30);
            await("b hears d").atMost(MEDIA).until(() -> b.remotePeakHz("7004"), hz -> Math.abs(hz - 1400) < 30);
            await("a still hears b").atMost(MEDIA).until(() -> a.remotePeakHz("7002"), hz -> Math.abs(hz - 800) < 30);
            d.run("disableDualStream");
            awaitWidth(a, "7004", true, d); // one layer left: a gets it although it asked for the low one
            d.run("enableDualStream");
            awaitWidth(a, "7004", false, d);

            a.run("members");
            a.awaitEvent("members:7001,7002,7004");
            assertThat(cErrors).as("errors of c").isEmpty();
            for (CompatPage p : List.of(a, b, d)) {
                assertThat(p.errors()).as("errors of a page").isEmpty();
            }
        }
    }

    /** Waits until {@code page} subscribed to the audio and video of each of {@code uids}. */
    private static void awaitPublished(CompatPage page, String... uids) {
        for (String uid : uids) {
            page.awaitEvent("user-published:" + uid + ":audio", MEDIA);
            page.awaitEvent("user-published:" + uid + ":video", MEDIA);
        }
    }

    /** The 640x480 camera's high layer (more than 400 wide, should the browser scale it down a little), or its low layer (half the width). */
    private static void awaitWidth(CompatPage page, String uid, boolean high, CompatPage sender) {
        try {
            await().atMost(MEDIA).until(() -> {
                int w = page.videoWidthOf(uid);
                return high ? w > 400 : w > 0 && w <= 320;
            });
        } catch (RuntimeException e) {
            sender.js("window.compat.outboundVideo();"); // its stats come asynchronously
            try {
                Thread.sleep(1000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new AssertionError("video of " + uid + " is " + page.videoWidthOf(uid) + " wide, wanted the "
                    + (high ? "high" : "low") + " layer; events " + page.events() + ", errors " + page.errors()
                    + "; the sender's events " + sender.events() + ", errors " + sender.errors() + ", video sent "
                    + sender.js("return window.compat.outboundVideo ? window.compat.outboundVideo() : null;"), e);
        }
    }
}
