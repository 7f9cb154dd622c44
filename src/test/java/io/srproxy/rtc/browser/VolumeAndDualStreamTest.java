package io.srproxy.rtc.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.srproxy.testsupport.RunsAlone;

/**
 * Two headless Chromium pages in one channel. Volume indicator: the page whose fake microphone
 * plays a tone reads louder than the one whose microphone is silent, on both pages, and is the
 * active speaker. Dual stream: the page with enableDualStream publishes a 640x480 fake camera as
 * two layers; the other page's received frame width drops when it picks the low layer and comes
 * back with the high one; likewise when the sender turns dual stream on only after publishing, and
 * the full width returns when it turns it off.
 */
@RunsAlone
class VolumeAndDualStreamTest {

    private static final Duration SETUP = Duration.ofSeconds(40);

    @TempDir
    Path tmp;

    private Srproxy server;
    private BrowserPage loud;
    private BrowserPage quiet;

    @BeforeEach
    void start() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        server = RtcTestServer.start();
        loud = new BrowserPage(Tones.writeWav(tmp.resolve("loud.wav"), Tones.sine(700, 48000, 4, 0.5), 48000),
                server.webPort());
        quiet = new BrowserPage(Tones.writeWav(tmp.resolve("quiet.wav"), Tones.sine(700, 48000, 4, 0.0), 48000),
                server.webPort());
    }

    @AfterEach
    void stop() {
        if (loud != null) {
            loud.close();
        }
        if (quiet != null) {
            quiet.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String join(BrowserPage page, String uid, boolean camera, boolean dualStream) {
        return String.valueOf(page.async("await demo.join({appId: 'srproxy', channel: 'vol1', uid: arguments[0],"
                + " camera: arguments[1], dualStream: arguments[2], volumeIndicator: true,"
                + " audioConfig: {AEC: false, ANS: false, AGC: false}}); return 'ok';", uid, camera, dualStream));
    }

    /** The levels of the last volume-indicator event the page had, by uid. */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> lastVolumes(BrowserPage page) {
        List<Map<String, Object>> last = (List<Map<String, Object>>) page.js(
                "return demo.volumes.length ? demo.volumes[demo.volumes.length - 1] : [];");
        return last.stream().collect(java.util.stream.Collectors.toMap(m -> (String) m.get("uid"),
                m -> ((Number) m.get("level")).longValue()));
    }

    @Test
    void theSpeakingPageIsLouderAndTheActiveSpeaker() {
        assertThat(join(loud, "loud", false, false)).isEqualTo("ok");
        assertThat(join(quiet, "quiet", false, false)).isEqualTo("ok");
        for (BrowserPage page : List.of(loud, quiet)) {
            await().atMost(SETUP).untilAsserted(() -> {
                Map<String, Long> v = lastVolumes(page);
                assertThat(v).containsKeys("loud", "quiet");
                assertThat(v.get("loud")).as("levels %s", v).isGreaterThan(v.get("quiet"));
            });
            await().atMost(SETUP).until(() -> page.events().contains("active-speaker loud"));
        }
        assertThat(quiet.events()).doesNotContain("active-speaker quiet");
    }

    @Test
    void theReceiverGetsTheLowLayerWhenItAsksAndTheHighOneBack() {
        assertThat(join(loud, "a", true, true)).isEqualTo("ok");
        assertThat(join(quiet, "b", false, false)).isEqualTo("ok");
        await().atMost(SETUP).until(() -> width(quiet, "a") >= 600);
        assertThat(quiet.async("await demo.client.setRemoteVideoStreamType('a', 1); return 'ok';")).isEqualTo("ok");
        await().atMost(SETUP).until(() -> width(quiet, "a") > 0 && width(quiet, "a") <= 320);
        assertThat(quiet.async("await demo.client.setRemoteVideoStreamType('a', 0); return 'ok';")).isEqualTo("ok");
        await().atMost(SETUP).until(() -> width(quiet, "a") >= 600);
        assertThat(server.rtc().mux().counters().snapshot().get("srtpAuthFailed")).isZero();
    }

    @Test
    void dualStreamTurnedOnAfterPublishingAndOffAgain() {
        assertThat(join(loud, "a", true, false)).isEqualTo("ok");
        assertThat(join(quiet, "b", false, false)).isEqualTo("ok");
        await().atMost(SETUP).until(() -> width(quiet, "a") >= 600);
        assertThat(quiet.async("await demo.client.setRemoteVideoStreamType('a', 1); return 'ok';")).isEqualTo("ok");
        // published with one layer: the low one asked for changes nothing until a has two
        assertThat(loud.async("await demo.client.enableDualStream(); return 'ok';")).isEqualTo("ok");
        await().atMost(SETUP).until(() -> width(quiet, "a") > 0 && width(quiet, "a") <= 320);
        assertThat(loud.async("await demo.client.disableDualStream(); return 'ok';")).isEqualTo("ok");
        await().atMost(SETUP).until(() -> width(quiet, "a") >= 600);
        assertThat(server.rtc().mux().counters().snapshot().get("srtpAuthFailed")).isZero();
    }

    private static long width(BrowserPage page, String uid) {
        return ((Number) page.remoteStats("video", uid).getOrDefault("receiveResolutionWidth", 0)).longValue();
    }
}
