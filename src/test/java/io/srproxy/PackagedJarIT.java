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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command, as a newcomer runs it: java -jar target/srproxy.jar [rtx.conf]. */
class PackagedJarIT {

    private static final Path JAR = Path.of("target/srproxy.jar");

    @TempDir
    Path dir;

    private Process run(List<String> args, Path log) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int healthStatus(int port) {
        try {
            return HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: the shutdown hook stops the services
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    @Test
    void runsOnAConfigFileAndServesHealth() throws Exception {
        int web = FreePorts.tcpAndUdp();
        Path conf = Files.writeString(dir.resolve("rtx.conf"), "[global]\nappid=jar-test\nsip_local_port="
                + FreePorts.tcpAndUdp() + "\n[rtm]\nip=127.0.0.1\nport=" + web + "\n[rtc]\nip=127.0.0.1\nport="
                + FreePorts.tcpAndUdp() + "\n[log]\nlevel=2\nfile=" + dir.resolve("srproxy.log") + "\n");
        Path out = dir.resolve("stdout.txt");
        Process p = run(List.of(conf.toString()), out);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> healthStatus(web) == 200);
            assertThat(Files.readString(out)).contains("config " + conf);
            assertThat(Files.readString(dir.resolve("srproxy.log"))).contains("srproxy up");
        } finally {
            stop(p);
        }
        assertThat(p.exitValue()).isIn(0, 143);
    }

    @Test
    void runsOnTheEmbeddedConfigWithoutAnArgumentAndSaysSo() throws Exception {
        Path out = dir.resolve("stdout.txt");
        Process p = run(List.of(), out);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> healthStatus(7080) == 200);
            assertThat(Files.readString(out)).contains("no config file given: running on the embedded defaults (conf/rtx.conf)");
        } finally {
            stop(p);
        }
    }

    @Test
    void refusesABrokenConfigNamingTheProblem() throws Exception {
        Path conf = Files.writeString(dir.resolve("bad.conf"), "[rtm]\nport=99999\n");
        Path out = dir.resolve("stdout.txt");
        Process p = run(List.of(conf.toString()), out);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(out)).contains("error: " + conf + ":2: [rtm] port: 99999 is out of range 1..65535");
    }

    @Test
    void checkSubcommandWorksFromTheJar() throws Exception {
        Path conf = dir.resolve("guide.conf");
        Files.copy(PackagedJarIT.class.getResourceAsStream("/samples/guide-rtx.conf"), conf);
        Path out = dir.resolve("stdout.txt");
        Process p = run(List.of("check", conf.toString()), out);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(out)).contains("## acc_rule expands to 15 account(s)", "sip_pwd=****");
    }
}
