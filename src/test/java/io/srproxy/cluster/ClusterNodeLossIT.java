package io.srproxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtm.RecordingListener;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.ws.WsRtmClient;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.RedisServer;
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

/**
 * Fault drill: node B (the packaged jar, on 127.0.0.2) killed with SIGKILL while a user of node A
 * watches one of its users and has an invitation out to it. Within the documented bound
 * ({@link ClusterTimings#failureBound()}, default timings) the user is offline for A, the
 * invitation has failed, and B started again with the same rtx.conf takes its users back.
 */
class ClusterNodeLossIT {

    /** A JVM starting the jar on a busy 2-core machine may take a while; this is no speed check. */
    private static final Duration STARTUP = Duration.ofSeconds(180);
    /** Scheduling on a loaded machine: the bound is Redis's TTL and our poll, this is slack on top. */
    private static final Duration SLACK = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static String get(String host, int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private Process startNodeB(Path conf, String output) throws Exception {
        Path jar = Path.of("target", "srproxy.jar");
        assertThat(jar).as("build it first: mvn -B -o -q package -DskipTests").exists();
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toAbsolutePath().toString(), conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(output).toFile()).start();
    }

    @Test
    void aKilledNodesUsersGoOfflineWithinTheBoundAndComeBackWithIt() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Srproxy a = Srproxy.start(ClusterRtmTest.node("127.0.0.1", "node-a", redis.uri()))) {
            int webB = FreePorts.tcpAndUdp();
            Path conf = Files.writeString(dir.resolve("b.conf"), String.join("\n",
                    "[rtm]", "ip=127.0.0.2", "port=" + webB,
                    "[rtc]", "ip=127.0.0.2", "port=" + FreePorts.tcpAndUdp(),
                    "[cluster]", "redis=" + redis.uri(), "node_id=node-b", "advertise=127.0.0.2:" + webB,
                    "[log]", "level=2", ""));
            Process b = startNodeB(conf, "first.txt");
            try {
                await().atMost(STARTUP).until(() -> get("127.0.0.2", webB, "/healthz").contains("\"status\":\"ok\""));
                await().atMost(STARTUP).until(() -> get("127.0.0.1", a.webPort(), "/api/cluster").contains("\"id\":\"node-b\""));
                URI atB = URI.create("ws://127.0.0.2:" + webB + "/rtm");
                RtmClient bob = WsRtmClient.create(atB, "srproxy", new RecordingListener());
                bob.login("k-bob", null).get(10, TimeUnit.SECONDS);
                RecordingListener aliceSeen = new RecordingListener();
                RtmClient alice = WsRtmClient.create(URI.create("ws://127.0.0.1:" + a.webPort() + "/rtm"), "srproxy", aliceSeen);
                alice.login("k-alice", null).get(10, TimeUnit.SECONDS);
                alice.subscribePeersOnlineStatus(List.of("k-bob")).get(10, TimeUnit.SECONDS);
                aliceSeen.awaitEvent("presence k-bob=ONLINE");
                alice.createLocalInvitation("k-bob").send();
                aliceSeen.awaitEvent("local received");

                long killed = System.nanoTime();
                b.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no logout, no key removed
                await().atMost(ClusterTimings.DEFAULTS.failureBound().plus(SLACK))
                        .untilAsserted(() -> assertThat(aliceSeen.events).contains("presence k-bob=OFFLINE"));
                System.out.printf("k-bob offline for node A %d ms after node B was killed (bound %d ms)%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed),
                        ClusterTimings.DEFAULTS.failureBound().toMillis());
                aliceSeen.awaitEvent("local failure PEER_OFFLINE");
                assertThat(alice.queryPeersOnlineStatus(List.of("k-bob")).get(10, TimeUnit.SECONDS)).containsEntry("k-bob", false);
                bob.close();

                b = startNodeB(conf, "second.txt");
                await().atMost(STARTUP).until(() -> get("127.0.0.2", webB, "/healthz").contains("\"status\":\"ok\""));
                RtmClient bobAgain = WsRtmClient.create(atB, "srproxy", new RecordingListener());
                bobAgain.login("k-bob", null).get(10, TimeUnit.SECONDS);
                aliceSeen.awaitEvent("presence k-bob=ONLINE");
                bobAgain.close();
                alice.close();
            } finally {
                b.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Path keep = Files.createDirectories(Path.of("target", "cluster-node-loss-it"));
                for (String name : List.of("first.txt", "second.txt")) {
                    if (Files.exists(dir.resolve(name))) {
                        Files.copy(dir.resolve(name), keep.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /**
     * The gateway: node B (the jar) holds acc_rule account 2001 first; node A (here) leaves it to B;
     * B killed with SIGKILL gives no lease back, and A takes 2001 once B's lease expires (12 s) and
     * logs it in to RTM. No SIP server is needed for that: the accounts are RTM users.
     */
    @Test
    void aKilledGatewayNodesAccountIsTakenOverWithinTheLease() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int webB = FreePorts.tcpAndUdp();
            int nowhere = FreePorts.tcpAndUdp(); // sip_svr: nothing listens, nothing needs it here
            Path conf = Files.writeString(dir.resolve("gw-b.conf"), gatewayNode("127.0.0.2", webB, "node-b", redis.uri(), nowhere));
            Process b = startNodeB(conf, "gateway.txt");
            try {
                await().atMost(STARTUP).until(() -> "node-b".equals(redis.get("srproxy:srproxy:gw:acc:2001")));
                await().atMost(STARTUP).until(() -> String.valueOf(redis.get("srproxy:srproxy:rtm:uid:2001")).startsWith("node-b "));
                int webA = FreePorts.tcpAndUdp();
                var binding = io.srproxy.config.RtxConfigBinder.bind(io.srproxy.config.RtxFile.parse(
                        gatewayNode("127.0.0.1", webA, "node-a", redis.uri(), nowhere), "gw-a.conf"));
                assertThat(binding.errors()).isEmpty();
                try (Srproxy a = Srproxy.start(binding.config())) {
                    Thread.sleep(3000); // a few lease rounds of node A: it must leave 2001 to B
                    assertThat(redis.get("srproxy:srproxy:gw:acc:2001")).isEqualTo("node-b");
                    assertThat(redis.get("srproxy:srproxy:rtm:uid:2001")).startsWith("node-b ");

                    long killed = System.nanoTime();
                    b.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: the lease stays until it expires
                    Duration bound = ClusterTimings.DEFAULTS.ttl().plusSeconds(1);
                    await().atMost(bound.plus(SLACK)).until(() -> "node-a".equals(redis.get("srproxy:srproxy:gw:acc:2001")));
                    await().atMost(SLACK).until(() -> String.valueOf(redis.get("srproxy:srproxy:rtm:uid:2001")).startsWith("node-a "));
                    System.out.printf("account 2001 held and online at node A %d ms after node B was killed (lease bound %d ms)%n",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed), bound.toMillis());
                    RtmClient app = WsRtmClient.create(URI.create("ws://127.0.0.1:" + webA + "/rtm"), "srproxy",
                            new RecordingListener());
                    app.login("k-app", null).get(10, TimeUnit.SECONDS);
                    assertThat(app.queryPeersOnlineStatus(List.of("2001")).get(10, TimeUnit.SECONDS)).containsEntry("2001", true);
                    app.close();
                }
            } finally {
                b.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Path keep = Files.createDirectories(Path.of("target", "cluster-node-loss-it"));
                if (Files.exists(dir.resolve("gateway.txt"))) {
                    Files.copy(dir.resolve("gateway.txt"), keep.resolve("gateway.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** A gateway node with app->SIP account 2001 (and no SIP->app side). */
    private static String gatewayNode(String ip, int web, String nodeId, String redisUri, int sipServerPort) {
        return String.join("\n",
                "[global]", "sip_svr=127.0.0.1:" + sipServerPort, "sip_local_ip=" + ip, "sip_local_port=" + FreePorts.tcpAndUdp(),
                "[rtm]", "ip=" + ip, "port=" + web,
                "[rtc]", "ip=" + ip, "port=" + FreePorts.tcpAndUdp(),
                "[rtm2sip]", "on=1", "acc_rule=2001",
                "[cluster]", "redis=" + redisUri, "node_id=" + nodeId,
                "[log]", "level=2", "");
    }

    /** Without [cluster] nothing of Redis is loaded: the JVM's class-loading log names no Lettuce or Netty class. */
    @Test
    void aSingleNodeLoadsNoRedisClass() throws Exception {
        int web = FreePorts.tcpAndUdp();
        Path conf = Files.writeString(dir.resolve("single.conf"), String.join("\n",
                "[rtm]", "ip=127.0.0.1", "port=" + web, "[rtc]", "ip=127.0.0.1", "port=" + FreePorts.tcpAndUdp(), ""));
        Path jar = Path.of("target", "srproxy.jar");
        assertThat(jar).as("build it first: mvn -B -o -q package -DskipTests").exists();
        Path out = dir.resolve("single.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-verbose:class",
                "-jar", jar.toAbsolutePath().toString(), conf.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            await().atMost(STARTUP).until(() -> get("127.0.0.1", web, "/healthz").contains("\"status\":\"ok\""));
            assertThat(get("127.0.0.1", web, "/api/cluster")).isEqualTo("{\"enabled\":false}");
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        List<String> loaded = Files.readAllLines(out).stream().filter(l -> l.contains("[class,load]")).toList();
        assertThat(loaded).as("classes loaded").anyMatch(l -> l.contains("io.srproxy.rtm.RtmService"));
        assertThat(loaded).noneMatch(l -> l.contains("io.lettuce.") || l.contains("io.netty.") || l.contains("io.srproxy.cluster.RedisCluster") || l.contains("io.srproxy.rtm.cluster."));
    }
}
