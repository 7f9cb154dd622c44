package io.srproxy.web;

import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.Firefox;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.NetNamespace;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.TcpRelay;
import io.srproxy.testsupport.Tones;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Firefox (Debian's ESR, over WebDriver BiDi) and Chromium in one call through srproxy's call
 * app, both ways: each hears the other's tone (Firefox's fake microphone is 1 kHz, Chromium's a
 * 600 Hz WAV). Firefox's SDP differs from Chromium's (m-line order, extensions, its own DTLS
 * certificate and ICE), so this is where a Chromium-only assumption would show.
 *
 * <p>Firefox gathers no loopback ICE candidate, so it runs in a network namespace this test makes
 * (a veth pair, nothing leaves the machine): srproxy advertises media on the host's end of the
 * pair; its signalling stays on loopback, reached from the namespace through a {@link TcpRelay}.
 */
class FirefoxCallTest {

    @TempDir
    static Path dir;

    private static NetNamespace ns;
    private static Srproxy srproxy;
    private static ServerSocket relay;
    private static Path tone;

    @BeforeAll
    static void start() throws Exception {
        Peers.firefox(); // fails (CI) or skips before anything is made
        ns = NetNamespace.create();
        String conf = "[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=" + ns.hostAddress() + "\nport="
                + FreePorts.tcpAndUdp() + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "ff.conf")).config());
        relay = TcpRelay.start(new InetSocketAddress(ns.hostAddress(), 0), new InetSocketAddress("127.0.0.1", srproxy.webPort()));
        tone = Tones.writeWav(dir.resolve("chromium.wav"), Tones.sine(600, 48000, 30, 0.5), 48000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (srproxy != null) {
            srproxy.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private static void awaitTone(FirefoxCallAppPage firefox, int hz) {
        try {
            await("Firefox hears Chromium's " + hz + " Hz").atMost(Duration.ofSeconds(20))
                    .until(firefox::remotePeakHz, heard -> Math.abs(heard - hz) < 30);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; Firefox's page: " + firefox.diagnostics(), e);
        }
    }

    @Test
    void firefoxAndChromiumCallEachOtherAndHearEachOther() throws Exception {
        try (FirefoxCallAppPage firefox = new FirefoxCallAppPage(ns,
                "http://" + ns.hostAddress() + ":" + relay.getLocalPort() + "/");
             CallAppPage chromium = new CallAppPage(srproxy.webPort(), tone)) {
            firefox.login("3001");
            chromium.login("3002");

            firefox.dial("3002", false);
            chromium.awaitScreen("incoming");
            chromium.click("accept-call");
            firefox.awaitScreen("incall");
            chromium.awaitScreen("incall");
            awaitTone(firefox, 600);
            await("Chromium hears Firefox's 1 kHz").atMost(Duration.ofSeconds(20))
                    .until(chromium::remotePeakHz, hz -> Math.abs(hz - Firefox.FAKE_MIC_HZ) < 30);
            chromium.click("hang-up");
            firefox.awaitScreen("idle");
            chromium.awaitScreen("idle");

            chromium.dial("3001", false);
            firefox.awaitScreen("incoming");
            firefox.click("accept-call");
            firefox.awaitScreen("incall");
            chromium.awaitScreen("incall");
            awaitTone(firefox, 600);
            await("Chromium hears Firefox's 1 kHz").atMost(Duration.ofSeconds(20))
                    .until(chromium::remotePeakHz, hz -> Math.abs(hz - Firefox.FAKE_MIC_HZ) < 30);
            firefox.click("hang-up");
            chromium.awaitScreen("idle");
            firefox.awaitScreen("idle");
        }
    }
}
