package io.srproxy.testsupport;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Debian's chromedriver through Selenium (never a downloaded
 * browser). Fake media devices; an optional WAV file as the microphone.
 */
public final class Chromium {

    private Chromium() {}

    /** Starts a browser; {@code fakeMicWav} may be null for the built-in fake beep. */
    public static ChromeDriver start(Path fakeMicWav) {
        return start(fakeMicWav, null);
    }

    /**
     * As {@link #start(Path)}, trusting {@code trustedCertificate} (may be null) for HTTPS/WSS by
     * its public key's hash, as an operator would install a self-signed certificate: no other
     * certificate error is ignored.
     */
    public static ChromeDriver start(Path fakeMicWav, X509Certificate trustedCertificate) {
        return start(fakeMicWav, trustedCertificate, List.of());
    }

    /**
     * One browser for several pages in tabs: background tabs are neither throttled nor put to
     * sleep, so each keeps its timers, audio and WebRTC running as a window of its own would.
     */
    public static ChromeDriver startForTabs() {
        return start(null, null, List.of("--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"));
    }

    private static ChromeDriver start(Path fakeMicWav, X509Certificate trustedCertificate, List<String> extraArgs) {
        Path chromium = Peers.chromium();
        Path driver = Peers.chromedriver();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        List<String> args = new ArrayList<>(List.of(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--allow-loopback-in-peer-connection"));
        args.addAll(extraArgs);
        if (fakeMicWav != null) {
            args.add("--use-file-for-fake-audio-capture=" + fakeMicWav.toAbsolutePath());
        }
        if (trustedCertificate != null) {
            args.add("--ignore-certificate-errors-spki-list=" + spkiHash(trustedCertificate));
        }
        try {
            args.add("--user-data-dir=" + Files.createTempDirectory("srproxy-chromium"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        options.addArguments(args);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return browser;
    }

    /** base64(SHA-256(SubjectPublicKeyInfo)), the form Chromium's SPKI allow-list takes. */
    static String spkiHash(X509Certificate certificate) {
        try {
            byte[] spki = certificate.getPublicKey().getEncoded();
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
