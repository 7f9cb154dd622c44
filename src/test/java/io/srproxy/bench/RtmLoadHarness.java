package io.srproxy.bench;

import io.srproxy.config.RtxConfig;
import io.srproxy.log.LogSetup;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.rtm.LocalInvitationFailureReason;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.RtmService;
import io.srproxy.rtm.SystemTimers;
import io.srproxy.rtm.ws.RtmWebSocket;
import io.srproxy.rtm.ws.WsRtmClient;
import io.srproxy.web.WebServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * RTM load harness (docs/benchmarks.md, "RTM signalling"). Starts the /rtm server in a child JVM
 * (so its heap holds only the server), then from this JVM: (1) logs in N idle WebSocket users and
 * reads the server's heap after GC, (2) runs P caller/callee pairs doing invite -> receive ->
 * accept back to back for a fixed time. Loopback only, bounded in time.
 *
 * <p>Arguments: {@code [users=5000] [pairs=50] [seconds=10] [serverHeap=1g]}.
 */
public final class RtmLoadHarness {

    static final String APP = "bench";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("server")) {
            server();
            return;
        }
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        String heap = args.length > 3 ? args[3] : "1g";
        LogSetup.apply(new RtxConfig.Log(3, Optional.empty(), 100), true);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xms" + heap, "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                RtmLoadHarness.class.getName(), "server").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            int port = -1;
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("server did not start");
            }
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "child-out");
            drain.setDaemon(true);
            drain.start();
            run(port, users, pairs, seconds, heap, new ProcessProbe(child.pid()));
        } finally {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(int port, int users, int pairs, int seconds, String heap, ProcessProbe server) throws Exception {
        URI rtm = URI.create("ws://127.0.0.1:" + port + "/rtm");
        System.out.printf("machine: %d cores, %s; server heap -Xmx%s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), heap);

        // warm up classes and JIT on both sides, then take the baseline
        closeAll(loginMany(rtm, "warm", 300));
        long base = serverHeap(port);

        long t0 = System.nanoTime();
        List<RtmClient> idle = loginMany(rtm, "idle", users);
        double loginSeconds = (System.nanoTime() - t0) / 1e9;
        long loaded = serverHeap(port);
        double perUser = (double) (loaded - base) / users;
        System.out.printf("idle users: %d logged in over WebSocket in %.1f s (%.0f logins/s)%n", users, loginSeconds, users / loginSeconds);
        System.out.printf("server heap after GC: %.1f MB without users, %.1f MB with them: %.0f bytes per idle user -> %.0f users per GB of heap%n",
                base / 1e6, loaded / 1e6, perUser, (1L << 30) / perUser);

        ProcessProbe clients = new ProcessProbe(ProcessHandle.current().pid());
        Rate inv = invitations(i -> rtm, i -> rtm, pairs, 3, seconds, new ProcessProbe[] {server, clients});
        System.out.printf("invitations end to end (invite, receive, accept) over WebSocket: %d pairs, %s%n", pairs, inv);
        // the clients share the cores, so the rate is theirs as much as the server's: CPU per
        // invitation is the server's own figure (invitations per second per core = 1e6 / it)
        System.out.printf(java.util.Locale.ROOT, "CPU per invitation in the counted window: server %.0f us (%.0f invitations/s per core), clients %.0f us%n",
                inv.cpuMicrosPerItem(0), 1e6 / inv.cpuMicrosPerItem(0), inv.cpuMicrosPerItem(1));
        closeAll(idle);
    }

    /** What a timed run counted: {@code count} in {@code seconds}, latencies in ms. */
    record Rate(long count, double seconds, double p50, double p99, long failed, long[] cpuTicks) {
        double perSecond() {
            return count / seconds;
        }

        /** CPU (user + system) of the i-th probed process in the counted window, per item, in us. */
        double cpuMicrosPerItem(int i) {
            return count == 0 ? Double.NaN : cpuTicks[i] * 1e6 / ProcessProbe.TICKS_PER_SECOND / count;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d in %.1f s = %.0f per second; latency p50 %.2f ms, p99 %.2f ms%s",
                    count, seconds, perSecond(), p50, p99, failed == 0 ? "" : "; " + failed + " not accepted (warm-up included)");
        }
    }

    /**
     * P pairs, each caller (at {@code callerAt.apply(pair)}) inviting its callee (at
     * {@code calleeAt.apply(pair)}) back to back; the callee accepts at once. {@code warmup} s not
     * counted, then {@code seconds} counted.
     */
    static Rate invitations(IntFunction<URI> callerAt, IntFunction<URI> calleeAt, int pairs, int warmup, int seconds) throws Exception {
        return invitations(callerAt, calleeAt, pairs, warmup, seconds, new ProcessProbe[0]);
    }

    /** As above, also reading each of {@code probes}' CPU over the counted window. */
    static Rate invitations(IntFunction<URI> callerAt, IntFunction<URI> calleeAt, int pairs, int warmup, int seconds,
                            ProcessProbe[] probes) throws Exception {
        Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
        RtmListener callerListener = new RtmListener() {
            @Override
            public void onLocalInvitationAccepted(LocalInvitation invitation, String response) {
                CompletableFuture<Void> f = waiting.remove(invitation.invitationId());
                if (f != null) {
                    f.complete(null);
                }
            }

            @Override
            public void onLocalInvitationFailure(LocalInvitation invitation, LocalInvitationFailureReason reason) {
                CompletableFuture<Void> f = waiting.remove(invitation.invitationId());
                if (f != null) {
                    f.completeExceptionally(new IllegalStateException("LocalInvitationFailure " + reason));
                }
            }
        };
        RtmListener calleeListener = new RtmListener() {
            @Override
            public void onRemoteInvitationReceived(RemoteInvitation invitation) {
                invitation.setResponse("{\"Mode\":1,\"Conference\":false,\"UserData\":\"\",\"SipData\":\"\"}").accept();
            }
        };
        List<RtmClient> clients = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            RtmClient callee = WsRtmClient.create(calleeAt.apply(i), APP, calleeListener);
            callee.login("callee-" + i, null).get(10, TimeUnit.SECONDS);
            RtmClient caller = WsRtmClient.create(callerAt.apply(i), APP, callerListener);
            caller.login("caller-" + i, null).get(10, TimeUnit.SECONDS);
            clients.add(caller);
            clients.add(callee);
        }
        AtomicBoolean counting = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[][] latencies = new long[pairs][];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            int pair = i;
            RtmClient caller = clients.get(2 * i);
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                while (running.get()) {
                    LocalInvitation inv = caller.createLocalInvitation("callee-" + pair)
                            .setContent("{\"Mode\":1,\"Conference\":false,\"ChanId\":\"123456789\"}").setChannelId("123456789");
                    CompletableFuture<Void> accepted = new CompletableFuture<>();
                    waiting.put(inv.invitationId(), accepted);
                    long start = System.nanoTime();
                    inv.send();
                    try {
                        accepted.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // counted and shown, and the pair goes on (the caller's node ends a failed invitation)
                        waiting.remove(inv.invitationId());
                        failed.incrementAndGet();
                        System.out.printf("pair %d: invitation not accepted: %s%n", pair,
                                e instanceof java.util.concurrent.TimeoutException ? "nothing in 10 s" : e.getCause());
                        continue;
                    }
                    if (counting.get()) {
                        done.incrementAndGet();
                        if (n < lat.length) {
                            lat[n++] = System.nanoTime() - start;
                        }
                    }
                }
                latencies[pair] = Arrays.copyOf(lat, n);
            }, "caller-" + i);
            t.start();
            threads.add(t);
        }
        Thread.sleep(warmup * 1000L); // not counted
        long[] ticks = new long[probes.length];
        for (int i = 0; i < probes.length; i++) {
            ticks[i] = -probes[i].cpuTicks();
        }
        counting.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        counting.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        for (int i = 0; i < probes.length; i++) {
            ticks[i] += probes[i].cpuTicks();
        }
        long count = done.get();
        running.set(false);
        for (Thread t : threads) {
            t.join(15000);
        }
        long[] all = Arrays.stream(latencies).filter(a -> a != null).flatMapToLong(Arrays::stream).sorted().toArray();
        closeAll(clients);
        return new Rate(count, elapsed, pct(all, 0.50), pct(all, 0.99), failed.get(), ticks);
    }

    /** The p-quantile of sorted nanoseconds, in ms. */
    static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private static List<RtmClient> loginMany(URI rtm, String prefix, int n) throws Exception {
        return loginMany(i -> rtm, prefix, n, i -> new RtmListener() {});
    }

    /** n clients {@code prefix-i} logged in at {@code at.apply(i)} with {@code listener.apply(i)}, 64 logins in flight. */
    static List<RtmClient> loginMany(IntFunction<URI> at, String prefix, int n, IntFunction<RtmListener> listener) throws Exception {
        List<RtmClient> clients = new ArrayList<>(n);
        Semaphore inFlight = new Semaphore(64);
        List<CompletableFuture<Void>> logins = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RtmClient c = WsRtmClient.create(at.apply(i), APP, listener.apply(i));
            clients.add(c);
            inFlight.acquire();
            logins.add(c.login(prefix + "-" + i, null).whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(logins.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        return clients;
    }

    static void closeAll(List<RtmClient> clients) throws InterruptedException {
        clients.forEach(RtmClient::close);
        Thread.sleep(1000);
    }

    private static long serverHeap(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/bench/heap")).build(), HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(r.body().trim());
    }

    /** The child: /rtm plus /bench/heap (used heap after GC), until its parent goes away. */
    private static void server() throws Exception {
        LogSetup.apply(new RtxConfig.Log(3, Optional.empty(), 100), true);
        SystemTimers timers = new SystemTimers();
        RtmService service = RtmService.create(APP, timers);
        // the per-socket request limit (50/s) would cap each pair: the bench measures the service, not the limit
        WebServer web = new WebServer("127.0.0.1", 0, List.of(new RtmWebSocket(service, new RtmWebSocket.Limits(10_000, 1_000_000)),
                routes -> routes.get("/bench/heap", ctx -> {
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        Thread.sleep(200);
                    }
                    ctx.result(Long.toString(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
                }))).start();
        System.out.println("PORT " + web.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the parent closes our stdin
        }
        web.close();
        service.close();
        timers.close();
    }
}
