package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;
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
 * The call app as people use it: two browsers log in, call each other, and every outcome is shown
 * in words. Screenshots of each screen go to target/screenshots/.
 */
class CallAppBrowserTest {

    @TempDir
    static Path dir;

    private static Srproxy srproxy;
    private static Path toneA;
    private static Path toneB;

    @BeforeAll
    static void start() throws Exception {
        String conf = "[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport="
                + FreePorts.tcpAndUdp() + "\n[global]\nsip_local_port=" + FreePorts.tcpAndUdp() + "\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "app.conf")).config());
        toneA = Tones.writeWav(dir.resolve("a.wav"), Tones.sine(600, 48000, 30, 0.5), 48000);
        toneB = Tones.writeWav(dir.resolve("b.wav"), Tones.sine(1200, 48000, 30, 0.5), 48000);
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
    }

    private static CallAppPage page(Path tone) {
        return new CallAppPage(srproxy.webPort(), tone);
    }

    @Test
    void twoUsersCallTalkAndHangUp() throws Exception {
        try (CallAppPage alice = page(toneA); CallAppPage bob = page(toneB)) {
            alice.screenshot("01-login");
            alice.login("1001");
            bob.login("1002");
            alice.screenshot("02-idle");
            alice.dial("1002", false);
            alice.awaitScreen("outgoing");
            bob.awaitScreen("incoming");
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.text("outgoing-state").equals("Ringing…"));
            alice.screenshot("03-dialling");
            bob.screenshot("04-incoming");
            assertThat(bob.text("incoming-peer")).isEqualTo("1001");
            bob.click("accept-call");
            alice.awaitScreen("incall");
            bob.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(alice::remotePeakHz, hz -> Math.abs(hz - 1200) < 30);
            await().atMost(Duration.ofSeconds(15)).until(bob::remotePeakHz, hz -> Math.abs(hz - 600) < 30);
            await().atMost(Duration.ofSeconds(5)).until(() -> alice.text("incall-timer").compareTo("00:01") >= 0);
            alice.screenshot("05-in-call");
            bob.click("toggle-mute");
            assertThat(bob.text("toggle-mute")).isEqualTo("Unmute");
            bob.click("hang-up");
            bob.awaitScreen("idle");
            alice.awaitScreen("idle");
            assertThat(alice.notice()).isEqualTo("1002 hung up");
            alice.screenshot("06-ended");
            assertThat(alice.text("history")).contains("1002", "answered");
        }
    }

    @Test
    void refusedBusyOfflineAndCancelledCallsSayWhatHappened() throws Exception {
        try (CallAppPage alice = page(toneA); CallAppPage bob = page(toneB); CallAppPage carol = page(toneB)) {
            alice.login("2001");
            bob.login("2002");
            carol.login("2003");

            alice.dial("2999", false);
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.notice().equals("2999 is offline"));
            alice.screenshot("07-offline");

            alice.dial("2002", false);
            bob.awaitScreen("incoming");
            bob.click("refuse-call");
            alice.awaitScreen("idle");
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.notice().equals("2002 declined the call"));
            alice.screenshot("08-declined");

            alice.dial("2002", false);
            bob.awaitScreen("incoming");
            alice.awaitScreen("outgoing");
            alice.click("cancel-call");
            alice.awaitScreen("idle");
            bob.awaitScreen("idle");
            await().atMost(Duration.ofSeconds(10)).until(() -> bob.notice().equals("Missed call from 2001"));
            bob.screenshot("09-missed");

            alice.dial("2002", false);
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            bob.awaitScreen("incall");
            carol.dial("2002", false);
            await().atMost(Duration.ofSeconds(10)).until(() -> carol.notice().equals("2002 is busy"));
            carol.screenshot("10-busy");
            alice.click("hang-up");
            bob.awaitScreen("idle");
        }
    }

    @Test
    void videoCallShowsTheOtherCameraAndCanBeAnsweredAsAudio() throws Exception {
        try (CallAppPage alice = page(toneA); CallAppPage bob = page(toneB)) {
            alice.login("3001");
            bob.login("3002");
            alice.dial("3002", true);
            bob.awaitScreen("incoming");
            assertThat(bob.text("incoming-kind")).isEqualTo("Video call");
            bob.click("accept-call");
            alice.awaitScreen("incall");
            bob.awaitScreen("incall");
            // the fake camera's frames arrive and are shown in the remote video element
            await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) alice.js(
                    "const v = document.querySelector('#remote-video video'); return v ? v.videoWidth : 0;")).intValue() > 0);
            alice.screenshot("12-video-call");
            alice.click("toggle-camera");
            assertThat(alice.text("toggle-camera")).isEqualTo("Camera on");
            alice.click("hang-up");
            bob.awaitScreen("idle");

            alice.dial("3002", true);
            bob.awaitScreen("incoming");
            bob.click("accept-audio");
            alice.awaitScreen("incall");
            bob.awaitScreen("incall");
            await().atMost(Duration.ofSeconds(15)).until(alice::remotePeakHz, hz -> Math.abs(hz - 1200) < 30);
            assertThat(alice.js("return window.srproxyApp.state.call.video")).isEqualTo(false);
            assertThat(alice.js("return document.getElementById('toggle-camera').hidden")).isEqualTo(true);
            bob.click("hang-up");
            alice.awaitScreen("idle");
        }
    }

    @Test
    void aRefusedMicrophoneIsExplained() throws Exception {
        try (CallAppPage alice = page(toneA); CallAppPage bob = page(toneB)) {
            alice.login("3101");
            bob.login("3102");
            // what the browser does when the person clicks "Block" on the permission prompt
            alice.js("navigator.mediaDevices.getUserMedia = () => Promise.reject("
                    + "new DOMException('Permission denied', 'NotAllowedError'));");
            alice.dial("3102", false);
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            alice.awaitScreen("idle");
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.notice().contains("the browser refused the microphone"));
            alice.screenshot("13-microphone-refused");
            bob.awaitScreen("idle"); // alice told bob the call is over
        }
    }

    /** Keeps every WebSocket the page opens, so a test can break the RTM link as a network drop would. */
    private static void trackSockets(CallAppPage page) {
        page.js("window.__sockets = []; const Native = window.WebSocket;"
                + "window.WebSocket = function (...a) { const s = new Native(...a); window.__sockets.push(s); return s; };"
                + "window.WebSocket.prototype = Native.prototype; Object.assign(window.WebSocket, Native);");
    }

    private static void dropRtmLink(CallAppPage page) {
        page.js("window.__sockets.filter(s => s.url.endsWith('/rtm') && s.readyState === 1).forEach(s => s.close());");
    }

    @Test
    void afterANetworkDropTheCallResyncs() throws Exception {
        try (CallAppPage alice = page(toneA); CallAppPage bob = page(toneB)) {
            trackSockets(alice);
            alice.login("3201");
            bob.login("3202");
            alice.dial("3202", false);
            bob.awaitScreen("incoming");
            bob.click("accept-call");
            alice.awaitScreen("incall");
            bob.awaitScreen("incall");

            // the link drops and comes back: the SDK logs in again, the app asks CallState, the call goes on
            dropRtmLink(alice);
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.text("connection").equals("reconnecting"));
            await().atMost(Duration.ofSeconds(15)).until(() -> alice.text("connection").equals("connected"));
            assertThat(alice.screen()).isEqualTo("incall");
            assertThat(bob.screen()).isEqualTo("incall");
            await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(2).equals(
                    alice.js("const r = window.srproxyApp.state.lastResync; return r && r.peer === '3202' ? r.state : null;")));
            await().atMost(Duration.ofSeconds(15)).until(alice::remotePeakHz, hz -> Math.abs(hz - 1200) < 30);

            // bob hangs up while alice is away: his EndCall is lost; she still learns it, from the media
            // channel (he left it) or from her CallState after the reconnect
            dropRtmLink(alice);
            bob.click("hang-up");
            bob.awaitScreen("idle");
            alice.awaitScreen("idle");
            assertThat(alice.notice()).isIn("3202 is no longer in the call", "3202 hung up", "3202 left the call");
        }
    }

    @Test
    void adminPageShowsCounters() throws Exception {
        try (CallAppPage admin = page(toneA)) {
            var driver = admin;
            driver.js("location.href = '/admin'");
            await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(driver.js("return document.title")).equals("srproxy admin"));
            await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(driver.js(
                    "return document.getElementById('counters').textContent")).contains("totalCalls"));
            admin.screenshot("11-admin");
        }
    }
}
