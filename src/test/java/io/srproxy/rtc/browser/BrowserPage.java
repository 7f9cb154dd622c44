package io.srproxy.rtc.browser;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.Chromium;
import io.srproxy.testsupport.WebAudioProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/** One headless Chromium on rtc-demo.html, driven through the page's window.demo object. */
public final class BrowserPage implements AutoCloseable {

    private final ChromeDriver driver;
    private boolean closed;

    public BrowserPage(Path micWav, int webPort) {
        this(micWav, "127.0.0.1", webPort);
    }

    /** The page served by the srproxy at {@code host} (one node of several). */
    public BrowserPage(Path micWav, String host, int webPort) {
        driver = Chromium.start(micWav);
        driver.get("http://" + host + ":" + webPort + "/rtc-demo.html");
        await().atMost(Duration.ofSeconds(20)).until(() -> Boolean.TRUE.equals(js("return window.demo && window.demo.ready === true;")));
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async body; the script calls done(value). */
    public Object async(String body, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "(async () => {" + body + "})().then(done, e => done('error: ' + e.message));", args);
    }

    /** Joins and publishes the fake microphone (and camera); returns "ok" or the error. */
    public String join(String channel, String uid, boolean camera, String codec) {
        Object r = async("await demo.join({appId: 'srproxy', channel: arguments[0], uid: arguments[1], camera: arguments[2],"
                + " codec: arguments[3], audioConfig: {AEC: false, ANS: false, AGC: false}}); return 'ok';",
                channel, uid, camera, codec);
        return String.valueOf(r);
    }

    @SuppressWarnings("unchecked")
    public List<String> events() {
        return (List<String>) js("return demo.events.slice();");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> rtcStats() {
        return (Map<String, Object>) async("return await demo.client.getRTCStats();");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> remoteStats(String kind, String uid) {
        String fn = kind.equals("audio") ? "getRemoteAudioStats" : "getRemoteVideoStats";
        Map<String, Object> all = (Map<String, Object>) async("return await demo.client." + fn + "();");
        Object s = all.get(uid);
        return s == null ? Map.of() : (Map<String, Object>) s;
    }

    /**
     * The loudest frequency (Hz) of the remote user's audio, measured in the page with WebAudio
     * (AnalyserNode FFT over about one second).
     */
    public double remotePeakHz(String uid) {
        Object r = async(
                "const user = demo.client.remoteUsers.find(u => u.uid === arguments[0]);"
                + "if (!user || !user.audioTrack) return -1;"
                + "const track = user.audioTrack.getMediaStreamTrack();" + WebAudioProbe.PEAK_HZ_OF_TRACK, uid);
        return ((Number) r).doubleValue();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.quit();
        }
    }
}
