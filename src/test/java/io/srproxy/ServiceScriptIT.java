package io.srproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/srproxy start|stop|restart|status against the packaged jar, in a temporary run directory. */
class ServiceScriptIT {

    @TempDir
    Path dir;

    private Path conf;
    private int web;

    private record Result(int exit, String output) {}

    private Result script(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Path.of("bin/srproxy").toAbsolutePath().toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("SRPROXY_JAR", Path.of("target/srproxy.jar").toAbsolutePath().toString());
        env.put("SRPROXY_RUN_DIR", dir.resolve("run").toString());
        env.put("SRPROXY_CONF", conf().toString());
        env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private Path conf() throws IOException {
        if (conf == null) {
            web = FreePorts.tcpAndUdp();
            conf = Files.writeString(dir.resolve("rtx.conf"), "[global]\nsip_local_port=" + FreePorts.tcpAndUdp()
                    + "\n[rtm]\nip=127.0.0.1\nport=" + web + "\n[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n");
        }
        return conf;
    }

    private boolean healthy() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web + "/healthz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        script("stop");
    }

    @Test
    void startStatusStopCycle() throws Exception {
        assertThat(script("status").exit()).isEqualTo(3);
        Result start = script("start");
        assertThat(start.exit()).as(start.output()).isZero();
        assertThat(start.output()).contains("srproxy started (pid");
        await().atMost(Duration.ofSeconds(30)).until(this::healthy);
        Result status = script("status");
        assertThat(status.exit()).isZero();
        assertThat(status.output()).contains("srproxy is running");
        assertThat(script("start").output()).contains("already running");
        Result stop = script("stop");
        assertThat(stop.exit()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("srproxy stopped");
        assertThat(healthy()).isFalse();
        assertThat(script("status").exit()).isEqualTo(3);
        assertThat(script("stop").exit()).isZero();
    }

    @Test
    void aStalePidFileIsReportedAndReplacedOnStart() throws Exception {
        Files.createDirectories(dir.resolve("run"));
        Files.writeString(dir.resolve("run/srproxy.pid"), "999999\n");
        Result status = script("status");
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.output()).contains("left over");
        Result start = script("start");
        assertThat(start.exit()).as(start.output()).isZero();
        assertThat(start.output()).contains("removing stale");
        await().atMost(Duration.ofSeconds(30)).until(this::healthy);
        assertThat(script("restart").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(this::healthy);
    }

    @Test
    void aBrokenConfigFailsTheStartWithItsError() throws Exception {
        conf = Files.writeString(dir.resolve("bad.conf"), "[rtm]\nport=0\n");
        Result start = script("start");
        assertThat(start.exit()).isEqualTo(1);
        assertThat(start.output()).contains("failed to start", "[rtm] port: 0 is out of range 1..65535");
        assertThat(script("status").exit()).isEqualTo(3);
    }
}
