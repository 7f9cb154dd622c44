package io.srproxy.bench;

import io.srproxy.config.RtxConfig;
import io.srproxy.log.LogSetup;
import io.srproxy.rtm.PeerOnlineState;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.ws.WsRtmClient;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;

/**
 * RTM with three nodes against one (docs/benchmarks.md, "Three nodes against one"). In one
 * invocation, side by side: one node without Redis, one node with {@code [cluster]}, three nodes
 * with {@code [cluster]} on 127.0.0.1/.2/.3; each node is the packaged jar in a child JVM, Redis a
 * redis-server of the harness's own. Per configuration: (a) invitations end to end, caller and
 * callee on different nodes; (b) presence fan-out: S subscribers spread over the nodes each watch
 * the same W users, each watched user logs in and out back to back (at its own node) and a change
 * counts once every subscriber has seen it; (c) each node's and Redis's CPU from /proc.
 *
 * <p>Arguments: {@code [seconds=6] [pairs=30] [subscribers=300] [watched=20] [nodeHeap=256m]}.
 * Bounded: each phase is 4 s warm-up + {@code seconds}; about 25 s per configuration plus JVM starts.
 */
public final class RtmClusterHarness {

    private static final Path JAR = Path.of("target", "srproxy.jar");
    /** Seconds of each phase not counted: fresh node JVMs compile the cross-node paths meanwhile. */
    private static final int WARMUP = 4;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int subscribers = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        int watched = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        String heap = args.length > 4 ? args[4] : "256m";
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build it with mvn -B -q -o package -DskipTests");
        }
        if (seconds > 20 || subscribers > 3000 || watched > 256 || pairs > 500) {
            throw new IllegalArgumentException("bounded: seconds <= 20, pairs <= 500, subscribers <= 3000, watched <= 256");
        }
        LogSetup.apply(new RtxConfig.Log(3, Optional.empty(), 100), true);
        System.out.printf(Locale.ROOT, "machine: %d cores, %s; nodes -Xmx%s; %d s per phase; %d pairs, %d subscribers x %d watched users%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                heap, seconds, pairs, subscribers, watched);
        Path dir = Files.createTempDirectory("rtm-cluster-bench");
        ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
        for (int[] config : new int[][] {{1, 0}, {1, 1}, {3, 1}}) {
            int nodes = config[0];
            boolean cluster = config[1] == 1;
            System.out.printf(Locale.ROOT, "%n== %d node%s, %s (load average %s)%n", nodes, nodes > 1 ? "s" : "",
                    cluster ? "[cluster] on one Redis" : "no Redis", loadAverage());
            try (RedisServer redis = cluster ? RedisServer.start() : null; Nodes n = Nodes.start(dir, nodes, redis, heap)) {
                Cpu cpu = new Cpu(n, redis, self);
                // pair i: caller at node i, callee at node i+1 (the same one when there is one node)
                RtmLoadHarness.Rate inv = RtmLoadHarness.invitations(i -> n.rtm(i), i -> n.rtm(i + 1), pairs, WARMUP, seconds);
                System.out.printf(Locale.ROOT, "invitations (caller and callee %s): %d pairs, %s%n",
                        nodes > 1 ? "on different nodes" : "on the node", pairs, inv);
                System.out.println("  cpu " + cpu.since());
                cpu = new Cpu(n, redis, self);
                presence(n, subscribers, watched, seconds);
                System.out.println("  cpu " + cpu.since());
            }
            System.out.printf("   (load average after: %s)%n", loadAverage());
        }
    }

    /**
     * Subscribers {@code sub-j} at node j, each watching {@code w-0..w-(W-1)}; watched user k logs in
     * at node k and out again, back to back. Per change: the time until the last subscriber saw it;
     * per delivery: the time until that subscriber saw it, split by whether it is at the watched
     * user's node.
     */
    private static void presence(Nodes n, int subscribers, int watched, int seconds) throws Exception {
        List<String> uids = IntStream.range(0, watched).mapToObj(k -> "w-" + k).toList();
        AtomicReferenceArray<Change> pending = new AtomicReferenceArray<>(watched);
        boolean[][] seen = new boolean[subscribers][watched];
        List<RtmClient> subs = RtmLoadHarness.loginMany(n::rtm, "sub", subscribers, j -> new RtmListener() {
            @Override
            public void onPeersOnlineStatusChanged(Map<String, PeerOnlineState> peers) {
                long now = System.nanoTime();
                peers.forEach((uid, state) -> {
                    int k = Integer.parseInt(uid.substring(2));
                    boolean online = state == PeerOnlineState.ONLINE;
                    if (seen[j][k] != online) { // events of one client come one at a time
                        seen[j][k] = online;
                        Change c = pending.get(k);
                        if (c != null) {
                            c.seen(online, now, j % n.size() == k % n.size());
                        }
                    }
                });
            }
        });
        List<CompletableFuture<Void>> subscribed = subs.stream().map(s -> s.subscribePeersOnlineStatus(uids)).toList();
        CompletableFuture.allOf(subscribed.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);

        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong changes = new AtomicLong();
        long[][] allSeen = new long[watched][];
        long[][] sameNode = new long[watched][];
        long[][] otherNode = new long[watched][];
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < watched; k++) {
            int user = k;
            Thread t = new Thread(() -> {
                RtmClient client = WsRtmClient.create(n.rtm(user), RtmLoadHarness.APP, new RtmListener() {});
                Samples all = new Samples();
                Samples same = new Samples();
                Samples other = new Samples();
                boolean online = false;
                while (running.get()) {
                    online = !online;
                    Change c = new Change(online, subscribers);
                    pending.set(user, c);
                    try {
                        (online ? client.login(uids.get(user), null) : client.logout()).get(10, TimeUnit.SECONDS);
                        c.allSeen.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        System.out.printf("w-%d: %s not seen by all in 10 s (%d left): %s%n", user, online ? "ONLINE" : "OFFLINE",
                                c.left.get(), e);
                        break;
                    }
                    if (counting.get()) {
                        changes.incrementAndGet();
                        all.add(c.allSeen.join() - c.start);
                        c.drainInto(same, other);
                    }
                }
                client.close();
                allSeen[user] = all.sorted();
                sameNode[user] = same.sorted();
                otherNode[user] = other.sorted();
            }, "presence-" + k);
            t.start();
            threads.add(t);
        }
        Thread.sleep(WARMUP * 1000L); // not counted
        counting.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        counting.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long count = changes.get();
        running.set(false);
        for (Thread t : threads) {
            t.join(25_000);
        }
        long[] all = merge(allSeen);
        long[] same = merge(sameNode);
        long[] other = merge(otherNode);
        System.out.printf(Locale.ROOT, "presence fan-out: %d subscribers x %d watched users; %d changes seen by all in %.1f s = %.0f changes/s (%.0f deliveries/s);"
                        + " until all saw it p50 %.2f ms, p99 %.2f ms%n", subscribers, watched, count, elapsed, count / elapsed,
                count * subscribers / elapsed, RtmLoadHarness.pct(all, 0.5), RtmLoadHarness.pct(all, 0.99));
        System.out.printf(Locale.ROOT, "  per delivery: subscriber at the user's node p50 %.2f ms, p99 %.2f ms (%d); at another node p50 %.2f ms, p99 %.2f ms (%d)%n",
                RtmLoadHarness.pct(same, 0.5), RtmLoadHarness.pct(same, 0.99), same.length,
                RtmLoadHarness.pct(other, 0.5), RtmLoadHarness.pct(other, 0.99), other.length);
        RtmLoadHarness.closeAll(subs);
    }

    private static long[] merge(long[][] parts) {
        return Arrays.stream(parts).filter(a -> a != null).flatMapToLong(Arrays::stream).sorted().toArray();
    }

    /** One presence change of one watched user, until every subscriber has seen it. */
    private static final class Change {
        final boolean online;
        final long start = System.nanoTime();
        final AtomicInteger left;
        final CompletableFuture<Long> allSeen = new CompletableFuture<>();
        /** delivery latency, negative when the subscriber is at another node than the user */
        final long[] deliveries;
        final AtomicInteger next = new AtomicInteger();

        Change(boolean online, int subscribers) {
            this.online = online;
            this.left = new AtomicInteger(subscribers);
            this.deliveries = new long[subscribers];
        }

        void seen(boolean state, long now, boolean sameNode) {
            if (state != online) {
                return;
            }
            int i = next.getAndIncrement();
            if (i < deliveries.length) {
                deliveries[i] = sameNode ? now - start : -(now - start);
            }
            if (left.decrementAndGet() == 0) {
                allSeen.complete(now);
            }
        }

        void drainInto(Samples same, Samples other) {
            for (int i = 0, n = Math.min(next.get(), deliveries.length); i < n; i++) {
                if (deliveries[i] >= 0) {
                    same.add(deliveries[i]);
                } else {
                    other.add(-deliveries[i]);
                }
            }
        }
    }

    /** A growing array of nanosecond samples, bounded at 2^20. */
    private static final class Samples {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length && size < (1 << 20)) {
                values = Arrays.copyOf(values, size * 2);
            }
            if (size < values.length) {
                values[size++] = v;
            }
        }

        long[] sorted() {
            long[] out = Arrays.copyOf(values, size);
            Arrays.sort(out);
            return out;
        }
    }

    /** CPU used since construction by each node, Redis and this JVM (the clients), as % of one core. */
    private static final class Cpu {
        private final List<ProcessProbe> probes = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private final long[] before;
        private final Map<String, Long> threadsBefore;
        private final long t0 = System.nanoTime();

        Cpu(Nodes nodes, RedisServer redis, ProcessProbe clients) {
            for (int i = 0; i < nodes.size(); i++) {
                probes.add(new ProcessProbe(nodes.pid(i)));
                names.add("node" + (i + 1));
            }
            if (redis != null) {
                probes.add(new ProcessProbe(redis.pid(), false));
                names.add("redis");
            }
            probes.add(clients);
            names.add("clients");
            before = probes.stream().mapToLong(ProcessProbe::cpuTicks).toArray();
            threadsBefore = probes.get(0).threadTicks();
        }

        String since() {
            double s = (System.nanoTime() - t0) / 1e9;
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < probes.size(); i++) {
                out.append(String.format(Locale.ROOT, "%s%s %.0f%%", i == 0 ? "" : ", ", names.get(i),
                        100.0 * (probes.get(i).cpuTicks() - before[i]) / ProcessProbe.TICKS_PER_SECOND / s));
            }
            return out.append(" (of one core); node1's busiest threads: ")
                    .append(String.join(", ", ProcessProbe.topThreads(threadsBefore, probes.get(0).threadTicks(), s, 4))).toString();
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** 1 or 3 srproxy nodes from the packaged jar, node i on 127.0.0.(i+1); {@code [cluster]} when given a Redis. */
    private static final class Nodes implements AutoCloseable {
        private final List<Process> processes = new ArrayList<>();
        private final List<URI> rtm = new ArrayList<>();

        static Nodes start(Path dir, int count, RedisServer redis, String heap) throws Exception {
            Nodes nodes = new Nodes();
            try {
                List<Integer> ports = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String ip = "127.0.0." + (i + 1);
                    int web = FreePorts.tcpAndUdp();
                    List<String> conf = new ArrayList<>(List.of("[global]", "appid=" + RtmLoadHarness.APP,
                            "[rtm]", "ip=" + ip, "port=" + web, "[rtc]", "ip=" + ip, "port=" + FreePorts.tcpAndUdp(),
                            // the per-socket request limit (50/s) would cap each pair: the bench measures the service
                            "[limits]", "max_requests_per_second=1000000", "[log]", "level=2"));
                    if (redis != null) {
                        conf.addAll(List.of("[cluster]", "redis=" + redis.uri(), "node_id=node" + (i + 1), "advertise=" + ip + ":" + web));
                    }
                    Path file = Files.writeString(dir.resolve("node" + (i + 1) + ".conf"), String.join("\n", conf) + "\n");
                    nodes.processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xms" + heap, "-Xmx" + heap, "-jar", JAR.toAbsolutePath().toString(), file.toString())
                            .redirectErrorStream(true).redirectOutput(dir.resolve("node" + (i + 1) + ".log").toFile()).start());
                    nodes.rtm.add(URI.create("ws://" + ip + ":" + web + "/rtm"));
                    ports.add(web);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // JVM starts on a loaded machine
                for (int i = 0; i < count; i++) {
                    String ip = "127.0.0." + (i + 1);
                    while (!get(ip, ports.get(i), "/healthz").contains("\"status\":\"ok\"")) {
                        if (!nodes.processes.get(i).isAlive() || System.nanoTime() > deadline) {
                            throw new IllegalStateException("node" + (i + 1) + " did not start; see " + dir.resolve("node" + (i + 1) + ".log"));
                        }
                        Thread.sleep(200);
                    }
                }
                // every node has seen every other (node list read every 2 s)
                while (redis != null && count > 1 && IntStream.range(0, count).anyMatch(i ->
                        IntStream.range(0, count).anyMatch(o -> !get("127.0.0." + (i + 1), ports.get(i), "/api/cluster").contains("\"id\":\"node" + (o + 1) + "\"")))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the nodes did not see each other");
                    }
                    Thread.sleep(200);
                }
                return nodes;
            } catch (Exception e) {
                nodes.close();
                throw e;
            }
        }

        int size() {
            return rtm.size();
        }

        URI rtm(int i) {
            return rtm.get(i % rtm.size());
        }

        long pid(int i) {
            return processes.get(i).pid();
        }

        private static String get(String host, int port, String path) {
            try {
                return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(HttpRequest.newBuilder(
                        URI.create("http://" + host + ":" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        /** SIGTERM (a clean stop: keys deleted), SIGKILL after 15 s. */
        @Override
        public void close() throws InterruptedException {
            processes.forEach(Process::destroy);
            for (Process p : processes) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }
}
