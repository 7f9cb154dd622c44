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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault drill: the packaged jar killed with SIGKILL in the middle of a call (no shutdown hook, no
 * BYE, no un-REGISTER), then started again with the same rtx.conf: every port binds again, the
 * extension registers again, the gateway accounts are online, apps log in and calls work.
 */
class SigkillIT {

    /** A JVM starting the jar on a busy 2-core CI machine may take a while; this is no speed check. */
    private static final Duration STARTUP = Duration.ofSeconds(60);

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

    /** In /api/calls: a call with an answer time. */
    private static final Pattern ANSWERED = Pattern.compile("\"answeredAt\":\"\\d");

    /** Calls that ended after being answered (/api/stats counts them when they end). */
    private static int answeredCalls(int web) {
        Matcher m = Pattern.compile("\"answeredCalls\":(\\d+)").matcher(get(web, "/api/stats"));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Both runs' output and the phone's, in target/sigkill-it for a failure's post-mortem. */
    private void keepOutputs(BaresipPhone phone) throws Exception {
        Path keep = Files.createDirectories(Path.of("target", "sigkill-it"));
        for (String name : List.of("first.txt", "second.txt")) {
            if (Files.exists(dir.resolve(name))) {
                Files.copy(dir.resolve(name), keep.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(keep.resolve("baresip.txt"), phone.output());
    }

    private Process startJar(Path conf, String out) throws Exception {
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/srproxy.jar").toAbsolutePath().toString(), conf.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve(out).toFile()).start();
    }

    @Test
    void killedMidCallAndStartedAgainOnTheSamePorts() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000)) {
            int web = FreePorts.tcpAndUdp();
            int rtpBase = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(5000);
            Path conf = Files.writeString(dir.resolve("rtx.conf"), String.join("\n",
                    "[global]", "appid=kill", "sip_svr=127.0.0.1:" + kamailio.port(), "sip_local_ip=127.0.0.1",
                    "sip_local_port=" + FreePorts.tcpAndUdp(), "sip_keepalive=1",
                    "[rtm]", "ip=127.0.0.1", "port=" + web,
                    "[rtc]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(),
                    "[rtm2sip]", "on=1", "acc_rule=1005",
                    "[proxy]", "on=1", "sip_account=1000", "sip_pwd=1234", "rtm_account=1086",
                    "[media]", "rtp_port_min=" + rtpBase, "rtp_port_max=" + (rtpBase + 100), ""));
            Process first = startJar(conf, "first.txt");
            Process second = null;
            try {
                await("started and registered").atMost(STARTUP).until(() -> get(web, "/api/registrations").contains("\"state\":\"REGISTERED\""));
                try (AppUser app = new AppUser(web, "kill", "8201")) {
                    app.invite("1005", "{\"Mode\":1}");
                    app.awaitStartingWith("accepted "); // SIP, RTP and WebSocket ports all in use

                    first.destroyForcibly(); // SIGKILL
                    assertThat(first.waitFor(10, TimeUnit.SECONDS)).as("killed").isTrue();
                    assertThat(first.exitValue()).isEqualTo(137);
                }
                phone.hangUp(); // its BYE goes nowhere: nobody is left to answer it

                second = startJar(conf, "second.txt");
                Process again = second;
                await("started again and registered").atMost(STARTUP).until(() -> {
                    if (!again.isAlive()) {
                        throw new AssertionError("srproxy did not start again:\n" + Files.readString(dir.resolve("second.txt")));
                    }
                    return get(web, "/api/registrations").contains("\"state\":\"REGISTERED\"");
                });
                assertThat(get(web, "/healthz")).contains("\"status\":\"ok\"");
                try (AppUser app = new AppUser(web, "kill", "8202")) {
                    assertThat(app.client.queryPeersOnlineStatus(List.of("1005", "1086")).get())
                            .containsEntry("1005", true).containsEntry("1086", true);

                    // the phone reaches the app through the new registration
                    app.onInvitation = "accept";
                    phone.dial("08202");
                    app.awaitStartingWith("invited by sip~");
                    await().atMost(Duration.ofSeconds(20)).until(() -> ANSWERED.matcher(get(web, "/api/calls")).find());
                    app.client.sendMessageToPeer(app.invitations.get(0).callerId(), "{\"Cmd\":\"EndCall\"}").get();
                    await().atMost(Duration.ofSeconds(20)).until(() -> answeredCalls(web) == 1
                            && get(web, "/api/calls").contains("\"active\":[]"));

                    // and the app reaches the phone over RTP ports the killed process held
                    app.events.clear();
                    app.invite("1005", "{\"Mode\":1}");
                    app.awaitStartingWith("accepted ");
                    app.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
                    await().atMost(Duration.ofSeconds(20)).until(() -> answeredCalls(web) == 2
                            && get(web, "/api/calls").contains("\"active\":[]"));
                }
                assertThat(Files.readString(dir.resolve("second.txt"))).doesNotContain("Address already in use");
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroyForcibly();
                }
                keepOutputs(phone);
            }
        }
    }
}
