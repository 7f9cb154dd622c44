package io.srproxy.web;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.testsupport.Firefox;
import io.srproxy.testsupport.NetNamespace;
import io.srproxy.testsupport.WebAudioProbe;
import java.time.Duration;

/**
 * The call app (index.html) in headless Firefox, driven through its DOM as a person would use it
 * (fields filled, buttons clicked); the same screens and ids as {@link CallAppPage}. The microphone
 * is Firefox's fake one, a {@value Firefox#FAKE_MIC_HZ} Hz tone.
 */
public final class FirefoxCallAppPage implements AutoCloseable {

    private final Firefox firefox;

    /** Opens the app at {@code url} in a Firefox inside {@code ns} (see {@link Firefox#startIn}). */
    public FirefoxCallAppPage(NetNamespace ns, String url) throws Exception {
        firefox = Firefox.startIn(ns, java.net.URI.create(url).getHost());
        try {
            firefox.open(url);
            await().atMost(Duration.ofSeconds(20)).until(() -> "login".equals(screen())
                    && firefox.eval("!!window.srproxyApp").asBoolean());
            tracePeerConnections();
        } catch (Exception | Error e) {
            firefox.close();
            throw e;
        }
    }

    private JsonNode js(String expression) {
        try {
            return firefox.eval(expression);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static String quoted(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * Records every peer connection's states, candidates and descriptions in window.__pcLog, so a
     * failure can say how far the media got (Firefox tears the connection down when it fails).
     */
    private void tracePeerConnections() {
        js("(() => { window.__pcLog = []; const Original = window.RTCPeerConnection;"
                + "const log = (m) => { window.__pcLog.push(m); if (window.__pcLog.length > 60) window.__pcLog.shift(); };"
                + "window.RTCPeerConnection = function (...args) { const pc = new Original(...args);"
                + "pc.addEventListener('iceconnectionstatechange', () => log('ice ' + pc.iceConnectionState));"
                + "pc.addEventListener('connectionstatechange', () => log('connection ' + pc.connectionState));"
                + "pc.addEventListener('icecandidate', (e) => log('candidate ' + (e.candidate ? e.candidate.candidate : 'end')));"
                + "const setLocal = pc.setLocalDescription.bind(pc);"
                + "pc.setLocalDescription = async (d) => { await setLocal(d); log('local ' + pc.localDescription.sdp); };"
                + "const setRemote = pc.setRemoteDescription.bind(pc);"
                + "pc.setRemoteDescription = async (d) => { log('remote ' + d.sdp); return setRemote(d); };"
                + "return pc; };"
                + "window.RTCPeerConnection.prototype = Original.prototype; })()");
    }

    public String screen() {
        return js("document.getElementById('app').dataset.screen").asText();
    }

    public String notice() {
        return text("notice");
    }

    public String text(String id) {
        return js("document.getElementById(" + quoted(id) + ").innerText").asText();
    }

    public void click(String id) {
        js("document.getElementById(" + quoted(id) + ").click()");
    }

    private void type(String id, String value) {
        js("(() => { const e = document.getElementById(" + quoted(id) + "); e.focus(); e.value = " + quoted(value)
                + "; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()");
    }

    public void login(String uid) {
        type("login-uid", uid);
        click("login-button");
        awaitScreen("idle");
    }

    public void dial(String number, boolean video) {
        type("dial-number", number);
        click(video ? "call-video" : "call-audio");
    }

    public void awaitScreen(String screen) {
        try {
            await("screen " + screen).atMost(Duration.ofSeconds(20)).until(() -> screen.equals(screen()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Firefox: no screen " + screen + " (on " + screen() + ", notice '" + notice() + "'); "
                    + diagnostics(), e);
        }
    }

    /** The loudest frequency (Hz) of the first remote user's audio, by WebAudio FFT in the page; -1 when silent. */
    public double remotePeakHz() {
        // -3: the probe hung (an AudioContext that never runs), rather than an eval that never returns
        return js("Promise.race([(async () => {"
                + "const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                + "const user = rtc && rtc.remoteUsers.find(u => u.audioTrack);"
                + "if (!user) return -1;"
                + "const track = user.audioTrack.getMediaStreamTrack();" + WebAudioProbe.PEAK_HZ_OF_TRACK
                + "})(), new Promise(r => setTimeout(() => r(-3), 8000))])").asDouble();
    }

    /** The page's media state, for a failure message: connection states, remote users, RTP counts, both SDPs. */
    public String diagnostics() {
        try {
            String stats = js("(async () => { const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                    + "const pc = rtc && rtc._pc; if (!pc) return 'no pc'; const out = [];"
                    + "(await pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' || r.type === 'outbound-rtp')"
                    + " out.push(r.type + ' ' + r.kind + ' packets ' + (r.packetsReceived ?? r.packetsSent)); });"
                    + "const ctx = new AudioContext(); const before = ctx.state;"
                    + "await Promise.race([ctx.resume(), new Promise(r => setTimeout(r, 3000))]);"
                    + "out.push('AudioContext ' + before + ' -> ' + ctx.state); ctx.close(); return out.join('; '); })()")
                    .asText();
            return "stats: " + stats + "; " + pageState();
        } catch (RuntimeException e) {
            return "stats failed: " + e.getMessage() + "; " + pageState();
        }
    }

    private String pageState() {
        try {
            return js("(() => { const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                    + "if (!rtc) return JSON.stringify({call: 'none', log: window.__pcLog}); const pc = rtc._pc;"
                    + "return JSON.stringify({state: rtc.connectionState, pc: pc && pc.connectionState, ice: pc && pc.iceConnectionState,"
                    + " users: rtc.remoteUsers.map(u => ({uid: u.uid, audio: !!u.audioTrack, hasAudio: u.hasAudio})),"
                    + " log: window.__pcLog}); })()")
                    .asText();
        } catch (RuntimeException e) {
            return "diagnostics failed: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        firefox.close();
    }
}
