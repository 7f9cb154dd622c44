package io.srproxy.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;

/**
 * Real test peers (Kamailio, baresip, sipp, Chromium, Janus) come from Debian packages installed by
 * scripts/install-test-peers.sh. With CI=true a missing peer fails the test; on a developer's
 * machine without it the test is skipped with the install hint.
 */
public final class Peers {

    private Peers() {}

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The executable's path, or fails (CI) / skips (elsewhere) naming the package to install. */
    public static Path require(String executable, String debianPackage) {
        for (String dir : new String[] {"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}) {
            Path p = Path.of(dir, executable);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String why = executable + " not found: run scripts/install-test-peers.sh (Debian package " + debianPackage + ")";
        if (inCi()) {
            Assertions.fail(why);
        }
        assumeTrue(false, why);
        throw new IllegalStateException(why);
    }

    public static Path kamailio() {
        return require("kamailio", "kamailio");
    }

    public static Path baresip() {
        return require("baresip", "baresip");
    }

    public static Path sipp() {
        return require("sipp", "sip-tester");
    }

    /** Janus (the load harness's side-by-side comparison). */
    public static Path janus() {
        return require("janus", "janus");
    }

    public static Path chromium() {
        return require("chromium", "chromium");
    }

    public static Path redisServer() {
        return require("redis-server", "redis-server");
    }

    public static Path chromedriver() {
        return require("chromedriver", "chromium-driver");
    }

    public static Path firefox() {
        return require("firefox-esr", "firefox-esr");
    }
}
