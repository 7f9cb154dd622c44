package io.srproxy.web;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.Chromium;
import io.srproxy.testsupport.WebAudioProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The call app (index.html) in headless Chromium, driven as a person would: fields and buttons.
 * A page has a browser of its own, or is one tab of a browser shared by several pages
 * ({@link #inTab}); a tab's microphone is a tone of its own, since Chromium's fake microphone file
 * is one per browser.
 */
public final class CallAppPage implements AutoCloseable {

    private final ChromeDriver driver;
    /** The tab's window handle when the browser is shared, else null. */
    private final String tab;

    /** Opens the app with {@code micWav} as the microphone. */
    public CallAppPage(int webPort, Path micWav) {
        this("http://127.0.0.1:" + webPort + "/", micWav, null);
    }

    /** Opens the app at {@code url} (http or https), trusting {@code certificate} (may be null) for TLS. */
    public CallAppPage(String url, Path micWav, java.security.cert.X509Certificate certificate) {
        driver = Chromium.start(micWav, certificate);
        tab = null;
        try {
            driver.get(url);
            await().atMost(Duration.ofSeconds(20)).until(() -> "login".equals(screen()) && js("return !!window.srproxyApp") == Boolean.TRUE);
        } catch (RuntimeException e) {
            driver.quit(); // the test never gets the page to close: do not leave the browser running
            throw e;
        }
    }

    private CallAppPage(ChromeDriver shared, String tab) {
        this.driver = shared;
        this.tab = tab;
    }

    /**
     * Opens the app in a new tab of {@code browser} (from {@link Chromium#startForTabs()}; the
     * first page takes the browser's first tab), its microphone a sine of {@code toneHz} at
     * {@code amplitude} (0..1) made in the page by WebAudio in place of the device.
     */
    public static CallAppPage inTab(ChromeDriver browser, int webPort, double toneHz, double amplitude) {
        CallAppPage page;
        synchronized (browser) { // not around the await: Awaitility asks from a thread of its own
            boolean fresh = browser.getWindowHandles().size() == 1 && !browser.getCurrentUrl().startsWith("http");
            if (!fresh) {
                browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
            }
            page = new CallAppPage(browser, browser.getWindowHandle());
            browser.get("http://127.0.0.1:" + webPort + "/");
        }
        await("the app in tab " + page.tab).atMost(Duration.ofSeconds(30))
                .until(() -> "login".equals(page.screen()) && page.js("return !!window.srproxyApp") == Boolean.TRUE);
        page.js(TONE_MICROPHONE, toneHz, amplitude);
        return page;
    }

    /** getUserMedia's audio becomes an oscillator (video, when asked too, stays the fake camera). */
    private static final String TONE_MICROPHONE =
            "const hz = arguments[0], amplitude = arguments[1];"
            + "const md = navigator.mediaDevices; const real = md.getUserMedia.bind(md);"
            + "md.getUserMedia = async (c) => {"
            + "  if (!c || !c.audio) return real(c);"
            + "  const ctx = window.__toneCtx || (window.__toneCtx = new AudioContext()); await ctx.resume();"
            + "  const osc = ctx.createOscillator(); osc.frequency.value = hz;"
            + "  const gain = ctx.createGain(); gain.gain.value = amplitude;"
            + "  const dest = ctx.createMediaStreamDestination(); osc.connect(gain).connect(dest); osc.start();"
            + "  const stream = new MediaStream(dest.stream.getAudioTracks());"
            + "  if (c.video) (await real({video: c.video})).getVideoTracks().forEach(t => stream.addTrack(t));"
            + "  return stream;"
            + "};";

    /** The driver, switched to this page's tab when the browser is shared. */
    private ChromeDriver d() {
        if (tab != null && !tab.equals(driver.getWindowHandle())) {
            driver.switchTo().window(tab);
        }
        return driver;
    }

    public Object js(String script, Object... args) {
        synchronized (driver) {
            return ((JavascriptExecutor) d()).executeScript(script, args);
        }
    }

    private Object async(String script, Object... args) {
        synchronized (driver) {
            return ((JavascriptExecutor) d()).executeAsyncScript(script, args);
        }
    }

    public String screen() {
        synchronized (driver) {
            return d().findElement(By.id("app")).getAttribute("data-screen");
        }
    }

    public String notice() {
        return text("notice");
    }

    public String text(String id) {
        synchronized (driver) {
            return d().findElement(By.id(id)).getText();
        }
    }

    public void click(String id) {
        synchronized (driver) {
            d().findElement(By.id(id)).click();
        }
    }

    private void type(String id, String value) {
        synchronized (driver) {
            d().findElement(By.id(id)).clear();
            d().findElement(By.id(id)).sendKeys(value);
        }
    }

    /** Starts a group call with {@code numbers} (app users or SIP numbers), typed into the dial field comma-separated. */
    public void groupCall(java.util.List<String> numbers, boolean video) {
        type("dial-number", String.join(", ", numbers));
        click(video ? "call-video" : "call-audio");
        awaitScreen("group");
    }

    /** In a group call: invites {@code number} with the add field. */
    public void addParticipant(String number) {
        type("add-number", number);
        click("add-participant");
    }

    /** In a group call: leaves it (the others' call goes on). */
    public void leave() {
        click("leave-call");
        awaitScreen("idle");
    }

    /** The group call's participant list (this user included): uid to its state ("joined", "ringing", ...) plus " muted" when muted. */
    @SuppressWarnings("unchecked")
    public java.util.Map<String, String> participants() {
        return (java.util.Map<String, String>) js("const r = {};"
                + "for (const li of document.querySelectorAll('#participants li'))"
                + "  r[li.dataset.uid] = li.dataset.state + (li.dataset.muted === 'true' ? ' muted' : '');"
                + "return r;");
    }

    /** The uid whose tile is the large one (the active speaker), or null. */
    public String largeTile() {
        return (String) js("const t = document.querySelector('#group-grid .tile.speaker'); return t ? t.dataset.uid : null;");
    }

    /**
     * The loudest frequency (Hz) of each remote user's audio, all measured at once by WebAudio FFT
     * in the page (-1 for a silent one).
     */
    @SuppressWarnings("unchecked")
    public java.util.Map<String, Double> remotePeaks() {
        Object r = async("const done = arguments[arguments.length - 1];"
                + "(async () => {"
                + "const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                + "const users = rtc ? rtc.remoteUsers.filter(u => u.audioTrack) : [];"
                + "const peak = async (track) => {" + WebAudioProbe.PEAK_HZ_OF_TRACK + "};"
                + "const hz = await Promise.all(users.map(u => peak(u.audioTrack.getMediaStreamTrack())));"
                + "const out = {}; users.forEach((u, i) => { out[String(u.uid)] = hz[i]; }); return out;"
                + "})().then(done, e => done({error: String(e)}));");
        java.util.Map<String, Double> peaks = new java.util.TreeMap<>();
        ((java.util.Map<String, Object>) r).forEach((k, v) -> peaks.put(k, v instanceof Number n ? n.doubleValue() : -2.0));
        return peaks;
    }

    /**
     * In a group call: per remote uid, what this page gets of its {@code kind} ("audio" or
     * "video") from the inbound-rtp stats of that uid's m-line: its {@code mid}, {@code packets},
     * video {@code frames} decoded and their {@code width}, and the {@code videoWidth} of the uid's
     * tile's video element (0 when none or nothing shown).
     */
    @SuppressWarnings("unchecked")
    public java.util.Map<String, java.util.Map<String, Long>> remoteMedia(String kind) {
        Object r = async("const done = arguments[arguments.length - 1], kind = arguments[0];"
                + "(async () => {"
                + "const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                + "if (!rtc || !rtc._pc) return {};"
                + "const byMid = {}; (await rtc._pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === kind) byMid[s.mid] = s; });"
                + "const out = {};"
                + "for (const sub of rtc._subs.filter(x => x.kind === kind)) {"
                + "  const s = byMid[sub.tx.mid] || {};"
                + "  const tile = [...document.querySelectorAll('#group-grid .tile')].find(t => t.dataset.uid === String(sub.uid));"
                + "  const v = tile && tile.querySelector('video');"
                + "  out[String(sub.uid)] = {frames: s.framesDecoded || 0, width: s.frameWidth || 0, videoWidth: v ? v.videoWidth : 0,"
                + "    packets: s.packetsReceived || 0, mid: Number(sub.tx.mid)};"
                + "}"
                + "return out;"
                + "})().then(done, e => done({error: String(e)}));", kind);
        java.util.Map<String, java.util.Map<String, Long>> out = new java.util.TreeMap<>();
        ((java.util.Map<String, Object>) r).forEach((k, v) -> {
            if (v instanceof java.util.Map<?, ?> m) {
                java.util.Map<String, Long> one = new java.util.TreeMap<>();
                m.forEach((a, b) -> one.put(String.valueOf(a), b instanceof Number n ? n.longValue() : -1L));
                out.put(k, one);
            } else {
                throw new IllegalStateException("remote video: " + v);
            }
        });
        return out;
    }

    /** Clicks {@code key} on the in-call keypad (opening it first), as a person sending a tone. */
    public void pressTone(char key) {
        synchronized (driver) {
            if (!d().findElement(By.id("dtmf-keypad")).isDisplayed()) {
                click("toggle-keypad");
            }
            d().findElement(By.cssSelector("#dtmf-keypad button[aria-label='Key " + key + "']")).click();
        }
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
        await("screen " + screen + " (notice: " + safeNotice() + ")").atMost(Duration.ofSeconds(20)).until(() -> screen.equals(screen()));
    }

    private String safeNotice() {
        try {
            return notice();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** Packets received from remote users so far, from the RTC SDK's stats. */
    public long receivedPackets() {
        Object r = async(
                "const done = arguments[arguments.length - 1];"
                + "const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                + "if (!rtc) { done(0); return; }"
                + "rtc.getRTCStats().then(s => done(s.RecvPackets || 0), () => done(0));");
        return ((Number) r).longValue();
    }

    /** The loudest frequency (Hz) of the first remote user's audio, by WebAudio FFT in the page; -1 when silent. */
    public double remotePeakHz() {
        Object r = async(
                "const done = arguments[arguments.length - 1];"
                + "(async () => {"
                + "const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                + "const user = rtc && rtc.remoteUsers.find(u => u.audioTrack);"
                + "if (!user) return -1;"
                + "const track = user.audioTrack.getMediaStreamTrack();" + WebAudioProbe.PEAK_HZ_OF_TRACK
                + "})().then(done, e => done(-2));");
        return ((Number) r).doubleValue();
    }

    /** Writes a screenshot to target/screenshots/NAME.png. */
    public Path screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Path file = dir.resolve(name + ".png");
        synchronized (driver) {
            Files.write(file, d().getScreenshotAs(OutputType.BYTES));
        }
        return file;
    }

    @Override
    public void close() {
        if (tab == null) {
            driver.quit(); // the tabs' browser is quit by whoever started it
        }
    }
}
