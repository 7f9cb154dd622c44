package io.srproxy.rtc.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtc.Channel;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two headless Chromium pages join one channel through srproxy-rtc.js and hear (and see) each
 * other through srproxy: ICE-lite, DTLS-SRTP, the router. Each page's fake microphone plays its
 * own tone; each page finds the other's tone with WebAudio.
 */
class TwoBrowsersCallTest {

    private static final double TONE_A = 620;
    private static final double TONE_B = 1380;

    @TempDir
    Path tmp;

    private Srproxy server;
    private BrowserPage a;
    private BrowserPage b;

    @BeforeEach
    void start() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        server = RtcTestServer.start();
        Path wavA = Tones.writeWav(tmp.resolve("a.wav"), Tones.sine(TONE_A, 48000, 4, 0.5), 48000);
        Path wavB = Tones.writeWav(tmp.resolve("b.wav"), Tones.sine(TONE_B, 48000, 4, 0.5), 48000);
        a = new BrowserPage(wavA, server.webPort());
        b = new BrowserPage(wavB, server.webPort());
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vp8", "h264"})
    void twoPagesHearAndSeeEachOtherAndAClosedPageIsGone(String videoCodec) {
        assertThat(a.join("room1", "alice", true, videoCodec)).isEqualTo("ok");
        assertThat(b.join("room1", "bob", true, videoCodec)).isEqualTo("ok");

        Duration setup = Duration.ofSeconds(30);
        await().atMost(setup).until(() -> a.events().contains("user-published bob audio")
                && b.events().contains("user-published alice audio"));
        await().atMost(setup).until(() -> a.events().stream().anyMatch(e -> e.endsWith("-> CONNECTED (connected)") || e.contains("-> CONNECTED"))
                && b.events().stream().anyMatch(e -> e.contains("-> CONNECTED")));

        // audio: packets arrive, and each page hears the other's tone
        await().atMost(setup).untilAsserted(() -> {
            assertThat(((Number) a.remoteStats("audio", "bob").getOrDefault("receivePackets", 0)).longValue()).isGreaterThan(50);
            assertThat(((Number) b.remoteStats("audio", "alice").getOrDefault("receivePackets", 0)).longValue()).isGreaterThan(50);
        });
        await().atMost(setup).untilAsserted(() -> assertThat(a.remotePeakHz("bob")).isCloseTo(TONE_B, org.assertj.core.data.Offset.offset(15.0)));
        await().atMost(setup).untilAsserted(() -> assertThat(b.remotePeakHz("alice")).isCloseTo(TONE_A, org.assertj.core.data.Offset.offset(15.0)));

        // video: frames are decoded on both sides
        await().atMost(setup).untilAsserted(() -> {
            assertThat(((Number) a.remoteStats("video", "bob").getOrDefault("decodeFrames", 0)).longValue()).isGreaterThan(10);
            assertThat(((Number) b.remoteStats("video", "alice").getOrDefault("decodeFrames", 0)).longValue()).isGreaterThan(10);
        });
        assertThat(String.valueOf(a.remoteStats("video", "bob").get("codecType"))).isEqualToIgnoringCase(videoCodec);
        assertThat(String.valueOf(b.remoteStats("audio", "alice").get("codecType"))).isEqualToIgnoringCase("opus");

        Map<String, Long> counters = server.rtc().mux().counters().snapshot();
        assertThat(counters.get("srtpAuthFailed")).isZero();
        assertThat(counters.get("rtpIn")).isGreaterThan(200);

        // a page closed without leaving is gone from the channel (well within 30 s) and alice hears of it
        b.close();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                server.rtc().channels().channel("room1").map(Channel::uids).orElseThrow().equals(java.util.List.of("alice")));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.events().stream().anyMatch(e -> e.startsWith("user-left bob")));
    }
}
