package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
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

/** SIGTERM to the packaged jar during a call: BYE to the phone, registration removed, exit within 10 s. */
class SigtermIT {

    @TempDir
    Path dir;

    private static String get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void sigtermDuringACallHangsUpAndUnregisters() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000)) {
            int web = FreePorts.tcpAndUdp();
            int rtpBase = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
            Path conf = Files.writeString(dir.resolve("rtx.conf"), String.join("\n",
                    "[global]", "appid=term", "sip_svr=127.0.0.1:" + kamailio.port(), "sip_local_ip=127.0.0.1",
                    "sip_local_port=" + FreePorts.tcpAndUdp(),
                    "[rtm]", "ip=127.0.0.1", "port=" + web,
                    "[rtc]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                    "[rtm2sip]", "on=1", "acc_rule=1005",
                    "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                    "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 100), ""));
            Process srproxy = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", Path.of("target/srproxy.jar").toAbsolutePath().toString(), conf.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> get(web, "/api/registrations").contains("\"state\":\"REGISTERED\""));
                try (AppUser app = new AppUser(web, "term", "8001")) {
                    app.invite("1005", "{\"Mode\":1}");
                    app.awaitStartingWith("accepted ");

                    long sent = System.nanoTime();
                    srproxy.destroy(); // SIGTERM
                    assertThat(srproxy.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s").isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(10));

                    assertThat(app.events).contains("message 1005 {\"Cmd\":\"EndCall\"}");
                    await().atMost(Duration.ofSeconds(5)).until(() -> phone.output().contains("session closed: Connection reset by peer"));
                }
                phone.dial("01234");
                await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("session closed: 480 srproxy not registered"));
                assertThat(Files.readString(dir.resolve("out.txt"))).contains("shutting down: hanging up 1 call(s)");
            } finally {
                srproxy.destroyForcibly();
            }
        }
    }
}
