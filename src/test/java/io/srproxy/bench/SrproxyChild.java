package io.srproxy.bench;

import io.srproxy.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * srproxy from the packaged jar as a child JVM, so its CPU, memory, threads and descriptors are
 * its own: a generated rtx.conf on loopback and free ports, registered as extension 1000 at the
 * given SIP server ([proxy] on), [rtm2sip] on, logging at WARNING.
 */
final class SrproxyChild implements AutoCloseable {

    static final String APP_ID = "load";

    private final Process process;
    private final int webPort;
    private final Path log;

    private SrproxyChild(Process process, int webPort, Path log) {
        this.process = process;
        this.webPort = webPort;
        this.log = log;
    }

    static SrproxyChild start(Path jar, Path dir, int sipServerPort, List<String> jvmOptions) throws Exception {
        return start(jar, dir, sipServerPort, jvmOptions, 0);
    }

    /**
     * As above, with {@code callAccounts} more gateway accounts besides 1005, 30000.. (an account
     * takes one call at a time): what app -> SIP load calls, one account per calling app.
     */
    static SrproxyChild start(Path jar, Path dir, int sipServerPort, List<String> jvmOptions, int callAccounts) throws Exception {
        return start(jar, dir, sipServerPort, jvmOptions, callAccounts, List.of());
    }

    /** As above, with {@code moreConf} lines appended to rtx.conf (a repeated section adds to it, a repeated key replaces). */
    static SrproxyChild start(Path jar, Path dir, int sipServerPort, List<String> jvmOptions, int callAccounts,
                              List<String> moreConf) throws Exception {
        String accRule = callAccounts <= 0 ? "1005"
                : "1005;3[0000-" + String.format(java.util.Locale.ROOT, "%04d", Math.min(9999, callAccounts - 1)) + "]";
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -B -q -o package -DskipTests");
        }
        int webPort = FreePorts.tcpAndUdp();
        int rtpBase = 20000 + 2 * ThreadLocalRandom.current().nextInt(4000);
        Path conf = Files.writeString(dir.resolve("rtx.conf"), String.join("\n",
                "[global]", "appid=" + APP_ID, "sip_svr=127.0.0.1:" + sipServerPort, "sip_local_ip=127.0.0.1",
                "sip_local_port=" + FreePorts.tcpAndUdp(),
                "[rtm]", "ip=127.0.0.1", "port=" + webPort,
                "[rtc]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                "[rtm2sip]", "on=1", "acc_rule=" + accRule,
                "[pstn]", "prefix=9", // app -> SIP load: 9<number> reaches the harness's sipp UAS through Kamailio
                "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 4000),
                "[limits]", "rtc_joins_per_second=1000", "max_requests_per_second=1000",
                "sip_requests_per_second=10000",
                "[log]", "level=3", "") + String.join("\n", moreConf) + "\n");
        Path log = dir.resolve("srproxy.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SrproxyChild child = new SrproxyChild(p, webPort, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a loaded shared machine starts the JVM slowly
        while (!child.get("/api/registrations").contains("\"state\":\"REGISTERED\"")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                child.close();
                throw new IllegalStateException("srproxy did not register within 60 s; its log:\n" + child.logTail());
            }
            Thread.sleep(200);
        }
        return child;
    }

    long pid() {
        return process.pid();
    }

    int webPort() {
        return webPort;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String get(String path) {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    String logTail() {
        try {
            String all = Files.readString(log);
            return all.length() > 4000 ? all.substring(all.length() - 4000) : all;
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM (srproxy hangs up and unregisters), then SIGKILL after 15 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
