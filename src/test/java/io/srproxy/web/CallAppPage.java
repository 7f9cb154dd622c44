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

/** The call app (index.html) in headless Chromium, driven as a person would: fields and buttons. */
public final class CallAppPage implements AutoCloseable {

    private final ChromeDriver driver;

    /** Opens the app with {@code micWav} as the microphone. */
    public CallAppPage(int webPort, Path micWav) {
        this("http://127.0.0.1:" + webPort + "/", micWav, null);
    }

    /** Opens the app at {@code url} (http or https), trusting {@code certificate} (may be null) for TLS. */
    public CallAppPage(String url, Path micWav, java.security.cert.X509Certificate certificate) {
        driver = Chromium.start(micWav, certificate);
        try {
            driver.get(url);
            await().atMost(Duration.ofSeconds(20)).until(() -> "login".equals(screen()) && js("return !!window.srproxyApp") == Boolean.TRUE);
        } catch (RuntimeException e) {
            driver.quit(); // the test never gets the page to close: do not leave the browser running
            throw e;
        }
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public String screen() {
        return driver.findElement(By.id("app")).getAttribute("data-screen");
    }

    public String notice() {
        return driver.findElement(By.id("notice")).getText();
    }

    public String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    public void click(String id) {
        driver.findElement(By.id(id)).click();
    }

    /** Clicks {@code key} on the in-call keypad (opening it first), as a person sending a tone. */
    public void pressTone(char key) {
        if (!driver.findElement(By.id("dtmf-keypad")).isDisplayed()) {
            click("toggle-keypad");
        }
        driver.findElement(By.cssSelector("#dtmf-keypad button[aria-label='Key " + key + "']")).click();
    }

    public void login(String uid) {
        driver.findElement(By.id("login-uid")).clear();
        driver.findElement(By.id("login-uid")).sendKeys(uid);
        click("login-button");
        awaitScreen("idle");
    }

    public void dial(String number, boolean video) {
        driver.findElement(By.id("dial-number")).clear();
        driver.findElement(By.id("dial-number")).sendKeys(number);
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
        Object r = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "const rtc = window.srproxyApp.state.call && window.srproxyApp.state.call.rtc;"
                + "if (!rtc) { done(0); return; }"
                + "rtc.getRTCStats().then(s => done(s.RecvPackets || 0), () => done(0));");
        return ((Number) r).longValue();
    }

    /** The loudest frequency (Hz) of the first remote user's audio, by WebAudio FFT in the page; -1 when silent. */
    public double remotePeakHz() {
        Object r = ((JavascriptExecutor) driver).executeAsyncScript(
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
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
