package io.srproxy.web;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.Chromium;
import io.srproxy.testsupport.WebAudioProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/** The anyRTC compatibility page (src/test/resources/anyrtc-compat) in headless Chromium. */
final class CompatPage implements AutoCloseable {

    private final ChromeDriver driver;

    CompatPage(String url, Path micWav) {
        driver = Chromium.start(micWav);
        try {
            driver.get(url);
            await("page loaded (errors: " + errorsQuietly() + ")").atMost(Duration.ofSeconds(20))
                    .until(() -> "loaded".equals(js("return window.compat ? window.compat.state : 'no compat object';")));
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs compat.NAME(args...) and waits for it. */
    void run(String name, Object... args) {
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "window.compat[arguments[0]](...Array.from(arguments).slice(1, -1)).then(() => done(null), e => done(String(e)));",
                prepend(name, args));
    }

    private static Object[] prepend(String first, Object[] rest) {
        Object[] out = new Object[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    String state() {
        return (String) js("return window.compat.state;");
    }

    void awaitState(String state) {
        await("state " + state + " (events: " + events() + ", errors: " + errors() + ")").atMost(Duration.ofSeconds(20))
                .until(() -> state.equals(state()));
    }

    @SuppressWarnings("unchecked")
    List<String> events() {
        return (List<String>) js("return window.compat.events.slice();");
    }

    @SuppressWarnings("unchecked")
    List<String> errors() {
        return (List<String>) js("return window.compat.errors.slice();");
    }

    private String errorsQuietly() {
        try {
            return String.valueOf(js("return window.compat ? window.compat.errors : 'no compat object';"));
        } catch (RuntimeException e) {
            return "?";
        }
    }

    void awaitEvent(String prefix) {
        await("event " + prefix + " (events: " + events() + ", errors: " + errors() + ")").atMost(Duration.ofSeconds(20))
                .until(() -> events().stream().anyMatch(e -> e.startsWith(prefix)));
    }

    /** The latest stats poll: call, localAudio, localVideo, remoteAudio, remoteVideo. */
    @SuppressWarnings("unchecked")
    Map<String, Object> stats() {
        return (Map<String, Object>) js("return window.compat.stats;");
    }

    /** The loudest frequency (Hz) of the remote user's audio; -1 when silent or absent. */
    double remotePeakHz() {
        Object r = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "(async () => { const track = window.compat.remoteAudio(); if (!track) return -1;"
                + WebAudioProbe.PEAK_HZ_OF_TRACK + "})().then(done, e => done(-2));");
        return ((Number) r).doubleValue();
    }

    /** Width of the remote video as decoded in the page (0: none yet). */
    int remoteVideoWidth() {
        return ((Number) js("const v = document.querySelector('#remote-video video'); return v ? v.videoWidth : 0;")).intValue();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
