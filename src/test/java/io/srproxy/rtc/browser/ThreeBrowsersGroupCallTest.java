package io.srproxy.rtc.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtc.Channel;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.srproxy.testsupport.RunsAlone;

/**
 * Three headless Chromium pages in one channel (the SFU): each page's fake microphone plays its
 * own tone, and each page finds both other tones with WebAudio on the two remote users' own
 * tracks (one m-line each, added by renegotiation). Then one page leaves: the other two go on
 * hearing each other, and the channel keeps no member or route of it; when all are gone, no
 * channel and no WebRTC session is left.
 */
@RunsAlone
class ThreeBrowsersGroupCallTest {

    private static final List<String> UIDS = List.of("ann", "ben", "cat");
    private static final List<Double> TONES = List.of(520.0, 1000.0, 1480.0);
    private static final Duration SETUP = Duration.ofSeconds(40);

    @TempDir
    Path tmp;

    private Srproxy server;
    private final BrowserPage[] pages = new BrowserPage[3];

    @BeforeEach
    void start() throws Exception {
        Peers.chromium();
        Peers.chromedriver();
        server = RtcTestServer.start();
        for (int i = 0; i < 3; i++) {
            Path wav = Tones.writeWav(tmp.resolve(UIDS.get(i) + ".wav"), Tones.sine(TONES.get(i), 48000, 4, 0.5), 48000);
            pages[i] = new BrowserPage(wav, server.webPort());
        }
    }

    @AfterEach
    void stop() {
        for (BrowserPage p : pages) {
            if (p != null) {
                p.close();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void eachPageHearsTheTwoOthersAndTwoGoOnWhenOneLeaves() {
        for (int i = 0; i < 3; i++) {
            assertThat(pages[i].join("group1", UIDS.get(i), true, "vp8")).isEqualTo("ok");
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    hears(i, j);
                }
            }
        }
        // video from both others is decoded on each page
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    BrowserPage page = pages[i];
                    String other = UIDS.get(j);
                    await().atMost(SETUP).untilAsserted(() -> assertThat(((Number) page.remoteStats("video", other)
                            .getOrDefault("decodeFrames", 0)).longValue()).as("%s decodes %s", UIDS.get(page == pages[0] ? 0 : page == pages[1] ? 1 : 2), other)
                            .isGreaterThan(10));
                }
            }
        }
        Channel channel = server.rtc().channels().channel("group1").orElseThrow();
        assertThat(channel.routeCount()).isEqualTo(6);
        assertThat(server.rtc().mux().counters().snapshot().get("srtpAuthFailed")).isZero();

        // cat leaves; ann and ben hear of it and go on hearing each other
        assertThat(pages[2].async("await demo.leave(); return 'ok';")).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.uids().equals(List.of("ann", "ben")));
        assertThat(channel.routeCount()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> pages[0].events().contains("user-left cat Quit")
                && pages[1].events().contains("user-left cat Quit"));
        long before = audioPackets(0, "ben");
        await().atMost(SETUP).until(() -> audioPackets(0, "ben") > before + 50);
        hears(0, 1);
        hears(1, 0);

        // the others leave too: no channel, no WebRTC session is left
        pages[0].async("await demo.leave(); return 'ok';");
        pages[1].async("await demo.leave(); return 'ok';");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.rtc().channels().size() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.rtc().mux().sessions() == 0);
    }

    private long audioPackets(int page, String uid) {
        return ((Number) pages[page].remoteStats("audio", uid).getOrDefault("receivePackets", 0)).longValue();
    }

    /** Page {@code i} finds page {@code j}'s tone on j's own audio track. */
    private void hears(int i, int j) {
        String other = UIDS.get(j);
        await().atMost(SETUP).untilAsserted(() -> assertThat(pages[i].remotePeakHz(other))
                .as("%s hears %s (events %s)", UIDS.get(i), other, pages[i].events())
                .isCloseTo(TONES.get(j), Offset.offset(15.0)));
    }
}
