package io.srproxy.web;

import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start as shipped: signalling on every address ([rtm] ip=0.0.0.0), no [rtc] ip,
 * so each answer advertises the address the app came in on. Apps reach srproxy over IPv6 (::1)
 * and over http://localhost, which browsers may resolve to ::1; all traffic stays on loopback.
 */
class DualStackCallTest {

    @TempDir
    static Path dir;

    private static Srproxy srproxy;
    private static Path toneA;
    private static Path toneB;

    @BeforeAll
    static void start() throws Exception {
        String conf = "[rtm]\nip=0.0.0.0\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nport=" + FreePorts.tcpAndUdp()
                + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "quickstart.conf")).config());
        toneA = Tones.writeWav(dir.resolve("a.wav"), Tones.sine(600, 48000, 30, 0.5), 48000);
        toneB = Tones.writeWav(dir.resolve("b.wav"), Tones.sine(1200, 48000, 30, 0.5), 48000);
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
    }

    @Test
    void twoAppsOnIpv6LoopbackHearEachOther() throws Exception {
        String url = "http://[::1]:" + srproxy.webPort() + "/";
        callAndHear(new CallAppPage(url, toneA, null), new CallAppPage(url, toneB, null), "6001", "6002");
    }

    @Test
    void anAppOnLocalhostAndOneOnIpv4HearEachOther() throws Exception {
        callAndHear(new CallAppPage("http://localhost:" + srproxy.webPort() + "/", toneA, null),
                new CallAppPage("http://127.0.0.1:" + srproxy.webPort() + "/", toneB, null), "6101", "6102");
    }

    private static void callAndHear(CallAppPage alicePage, CallAppPage bobPage, String aliceUid, String bobUid)
            throws Exception {
        try (CallAppPage alice = alicePage; CallAppPage bob = bobPage) {
            alice.login(aliceUid);
            bob.login(bobUid);
            alice.dial(bobUid, false);
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            alice.awaitScreen("incall");
            bob.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(alice::remotePeakHz, hz -> Math.abs(hz - 1200) < 30);
            await().atMost(Duration.ofSeconds(15)).until(bob::remotePeakHz, hz -> Math.abs(hz - 600) < 30);
            alice.click("hang-up");
            bob.awaitScreen("idle");
        }
    }
}
