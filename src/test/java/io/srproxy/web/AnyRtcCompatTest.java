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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page written for anyRTC's SDKs, served from another origin than srproxy, loads /sdk/ArRTC.js and
 * /sdk/ArRTM.js with script tags, points them at srproxy with setParameters and makes one-to-one
 * calls as anyRTC call apps (ARCall) do. srproxy allows only that page's origin ([rtm] allowed_origins).
 */
class AnyRtcCompatTest {

    @TempDir
    static Path dir;

    private static Srproxy srproxy;
    private static CompatPage.Origin pages;
    private static Path toneA;
    private static Path toneB;

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
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "compat.conf")).config());
        toneA = Tones.writeWav(dir.resolve("a.wav"), Tones.sine(600, 48000, 30, 0.5), 48000);
        toneB = Tones.writeWav(dir.resolve("b.wav"), Tones.sine(1200, 48000, 30, 0.5), 48000);
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

    private static CompatPage open(Path tone, String uid) {
        return pages.open(tone, uid);
    }

    @Test
    void audioCallFromAnotherOriginCarriesTonesBothWaysAndReportsStats() {
        try (CompatPage alice = open(toneA, "4001"); CompatPage bob = pages.open(toneB, "4002", true)) {
            assertThat(alice.events()).anyMatch(e -> e.startsWith("sdk:0."));
            assertThat(String.valueOf(alice.js("return window.compat.devices;"))).contains("audioinput", "videoinput");
            alice.run("call", "4002", 1);
            bob.awaitState("ringing");
            alice.awaitEvent("LocalInvitationReceivedByPeer");
            bob.run("accept", false);
            alice.awaitState("incall");
            bob.awaitState("incall");
            await().atMost(Duration.ofSeconds(20)).until(alice::remotePeakHz, hz -> Math.abs(hz - 1200) < 30);
            await().atMost(Duration.ofSeconds(20)).until(bob::remotePeakHz, hz -> Math.abs(hz - 600) < 30);
            // an audio call publishes [null, audio]: no video goes either way
            assertThat(alice.events()).noneMatch(e -> e.endsWith(":video"));
            await("stats with rates").atMost(Duration.ofSeconds(15)).until(() -> {
                Map<String, Object> s = alice.stats();
                return s != null && number(s, "call", "RecvBitrate") > 0 && number(s, "localAudio", "sendBitrate") > 0
                        && number(s, "remoteAudio", "receiveBitrate") > 0;
            });
            Map<String, Object> s = alice.stats();
            assertThat(number(s, "call", "UserCount")).isEqualTo(2);
            assertThat(number(s, "call", "Duration")).isGreaterThanOrEqualTo(0);
            assertThat(((Map<?, ?>) s.get("remoteAudio")).keySet()).map(String::valueOf).contains("packetLossRate", "receiveBitrate");
            alice.run("hangUp");
            bob.awaitState("idle");
            assertThat(bob.events()).anyMatch(e -> e.startsWith("ended:peer-"));
            assertThat(alice.errors()).isEmpty();
            assertThat(bob.errors()).isEmpty();
        }
    }

    @Test
    void videoCallShowsTheCameraWithABitrateCapAndCanBeAnsweredAsAudio() {
        try (CompatPage alice = open(toneA, "5001"); CompatPage bob = open(toneB, "5002")) {
            alice.run("call", "5002", 0);
            bob.awaitState("ringing");
            bob.run("accept", false);
            alice.awaitState("incall");
            bob.awaitState("incall");
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> alice.remoteVideoWidth() > 0 && bob.remoteVideoWidth() > 0);
            } catch (RuntimeException e) {
                throw new AssertionError("no remote video: alice " + alice.events() + " " + alice.stats() + " " + alice.errors()
                        + "; bob " + bob.events() + " " + bob.stats() + " " + bob.errors(), e);
            }
            await("local video stats").atMost(Duration.ofSeconds(15)).until(() -> {
                Map<String, Object> s = alice.stats();
                return s != null && number(s, "localVideo", "sendBitrate") > 0 && number(s, "remoteVideo", "receiveFrameRate") > 0;
            });
            // encoderConfig.bitrateMax 300 Kbps became the sender's cap
            Object cap = alice.js("const s = window.compat.rtc._tx.video.sender.getParameters();"
                    + "return s.encodings && s.encodings[0] ? s.encodings[0].maxBitrate : null;");
            assertThat(((Number) cap).intValue()).isEqualTo(300_000);
            bob.js("window.compat.remoteVideoFrames();"); // count from here
            alice.run("changeSettings");
            alice.awaitEvent("settings-changed");
            Object newCap = alice.js("return window.compat.rtc._tx.video.sender.getParameters().encodings[0].maxBitrate;");
            assertThat(((Number) newCap).intValue()).isEqualTo(200_000);
            await("video still arrives after setDevice").atMost(Duration.ofSeconds(20))
                    .until(() -> ((Number) bob.js("return window.compat.remoteVideoFrames();")).intValue() > 0);
            await("audio still arrives after setDevice").atMost(Duration.ofSeconds(20)).until(bob::remotePeakHz, hz -> Math.abs(hz - 600) < 30);
            alice.run("switchToAudio");
            bob.awaitEvent("MessageFromPeer:5001:");
            await().atMost(Duration.ofSeconds(10)).until(() -> bob.events().contains("user-unpublished:5001:video"));
            alice.run("hangUp");
            bob.awaitState("idle");

            // answered as audio: both sides publish audio only
            alice.run("call", "5002", 0);
            bob.awaitState("ringing");
            bob.run("accept", true);
            alice.awaitEvent("LocalInvitationAccepted:");
            alice.awaitState("incall");
            bob.awaitState("incall");
            await().atMost(Duration.ofSeconds(20)).until(alice::remotePeakHz, hz -> Math.abs(hz - 1200) < 30);
            assertThat((Number) alice.js("return window.compat.mode;")).isEqualTo(1L);
            assertThat(alice.js("return window.compat.local.videoTrack;")).isNull();
            bob.run("hangUp");
            alice.awaitState("idle");
            assertThat(alice.errors()).isEmpty();
            assertThat(bob.errors()).isEmpty();
        }
    }

    @Test
    void refusedCancelledOfflineAndBusyCallsEndAsAnyRtcAppsExpect() {
        try (CompatPage alice = open(toneA, "6001"); CompatPage bob = open(toneB, "6002"); CompatPage carol = open(toneB, "6003")) {
            alice.run("call", "6999", 1);
            alice.awaitEvent("offline:6999");

            alice.run("call", "6002", 1);
            bob.awaitState("ringing");
            bob.run("refuse");
            alice.awaitEvent("LocalInvitationRefused:Refuse");
            alice.awaitState("idle");
            bob.awaitEvent("RemoteInvitationRefused");

            alice.run("call", "6002", 0);
            bob.awaitState("ringing");
            alice.awaitEvent("LocalInvitationReceivedByPeer");
            alice.run("cancel");
            alice.awaitEvent("LocalInvitationCanceled");
            bob.awaitEvent("RemoteInvitationCanceled");
            alice.awaitState("idle");
            bob.awaitState("idle");

            alice.run("call", "6002", 1);
            bob.awaitState("ringing");
            bob.run("accept", false);
            bob.awaitState("incall");
            carol.run("call", "6002", 1);
            carol.awaitEvent("LocalInvitationRefused:Calling");
            carol.awaitState("idle");
            alice.run("hangUp");
            bob.awaitState("idle");
            assertThat(alice.errors()).isEmpty();
            assertThat(bob.errors()).isEmpty();
            assertThat(carol.errors()).isEmpty();
        }
    }

    private static double number(Map<String, Object> stats, String part, String field) {
        Object p = stats.get(part);
        if (!(p instanceof Map<?, ?> m) || !(m.get(field) instanceof Number n)) {
            return -1;
        }
        return n.doubleValue();
    }
}
