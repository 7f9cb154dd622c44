package io.srproxy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.srproxy.rtc.webrtc.LoadPeers;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Group-call load on one srproxy (docs/benchmarks.md, "Group calls"): srproxy from
 * target/srproxy.jar as a child JVM registered at Kamailio, with {@code [rtc] max_members} raised
 * and {@code [conference] on=1 prefix=8}. Two parts, each a list of levels:
 * <ul>
 * <li><b>forwarding</b>: for each M of {@code --members}, C channels ({@code --channels}) of M
 *     {@link GroupMember}s, each publishing Opus and subscribing to every other member's audio by
 *     re-offering as the browser SDK does; held {@code --hold} seconds; srproxy forwards
 *     C&middot;M&middot;(M-1) streams. Reports srproxy's CPU per forwarded stream, each receiver's
 *     loss and longest gap per stream, RSS.</li>
 * <li><b>mixer</b>: a room of K members ({@code --room-apps}) measured alone, then with S sipp
 *     phones ({@code --sip-legs}) dialling {@code 8<room>} through Kamailio (PCMU, sipp's RTP echo
 *     sends back the mix it hears): each phone hears the mix of the others, the apps subscribe to
 *     each phone. The CPU per SIP leg is (CPU with S legs - CPU of the room alone) / S.</li>
 * </ul>
 * Prints tables, writes JSON and an SVG plot to {@code --out}. Stops its children on exit.
 *
 * <pre>
 * --members 3,5,9,17   channel sizes (forwarding levels; "" for none)   --channels 1    channels per level
 * --hold 20            seconds measured per level                       --max-members   [rtc] max_members (default max(17, largest M))
 * --room-apps 4        app members of the conference room               --sip-legs 1,2,4,8  (mixer levels; "" for none)
 * --warmup 6           seconds of a 3-member room with a phone first, not measured (0: none)
 * --idle 4             seconds of idle srproxy measured after it (0: none)
 * --video 2x1000       members also publish VP8-shaped video, P packets of B bytes per 20 ms, and subscribe to it
 * --out target/group-load   --jar target/srproxy.jar   --srproxy-jvm "-Xms256m -Xmx256m -XX:AutoBoxCacheMax=65536"
 * </pre>
 */
public final class GroupLoadHarness {

    private static final String ROOM = "7001";

    /** One forwarding level's figures. */
    record ForwardLevel(int channels, int members, String video, int forwardedStreams, int streamsWithMedia, int failedMembers,
                        double holdSeconds, double cpuPercent, double jitPercent, double cpuMicrosPerSecondPerStream,
                        double aboveIdleMicrosPerSecondPerStream, long packetsExpected,
                        long packetsLost, double lossPercent, double worstStreamLossPercent, long longestGapMaxMs,
                        long longestGapP50Ms, double lifeLossPercent, long lifeLongestGapMaxMs, long videoPacketsLost,
                        long srtpFailures, long udpReceiveDrops, long harnessSendDrops, Map<String, Double> srproxyDrops, long rssMb, long threads, double harnessCpuPercent, long lateTicks,
                        String loadAverage, List<String> topThreads, List<String> failures, Map<String, Double> leftAfter) {
    }

    /** One mixer level: the room with {@code sipLegs} phones ({@code sipLegs} 0: the room alone). */
    record MixerLevel(int apps, int sipLegs, int legsInRoom, double holdSeconds, double cpuPercent, double jitPercent,
                      double cpuMicrosPerSecondPerLeg, double cpuMicrosPerSecondPerLegWithoutJit, int sipStreams, int sipStreamsWithMedia, double sipLossPercent,
                      long sipLongestGapMaxMs, long rssMb,
                      double harnessCpuPercent, double sippCpuPercent, long lateTicks, String loadAverage,
                      List<String> topThreads, List<String> failures) {
    }

    /** Everything a run measured. */
    record Result(double idleCpuPercent, List<ForwardLevel> forwarding, List<MixerLevel> mixer, Map<String, Double> leftAfter) {
    }

    private final Map<String, String> opts;
    private final Path out;
    private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    private final List<AutoCloseable> children = new ArrayList<>();
    private final ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
    private final ExecutorService wsPool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "group-load-ws");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().executor(wsPool).build();
    private KamailioServer kamailio;
    private SrproxyChild srproxy;
    private ProcessProbe probe;
    private LoadPeers peers;
    private volatile SippCallers sipp;
    private final java.util.Set<Long> seenSsrcs = new java.util.HashSet<>(); // phones' streams of earlier mixer levels

    private GroupLoadHarness(Map<String, String> opts) {
        this.opts = opts;
        this.out = Path.of(opts.getOrDefault("out", "target/group-load"));
    }

    public static void main(String[] args) {
        HarnessMain.main(args, "GroupLoadHarness [--members 3,5,9,17] [--channels 1] [--hold 20] [--max-members N]"
                + " [--room-apps 4] [--sip-legs 1,2,4,8] [--warmup 6] [--idle 4] [--video 2x1000] [--out target/group-load]"
                + " [--jar target/srproxy.jar] [--srproxy-jvm \"-Xmx256m\"]", GroupLoadHarness::run);
    }

    /** Runs the levels of {@code opts} (the command line's options without "--"); every child is stopped before it returns. */
    public static Result run(Map<String, String> opts) throws Exception {
        GroupLoadHarness h = new GroupLoadHarness(opts);
        return HarnessMain.withStop(h::stopAll, "group-load-stop", h::run);
    }

    private static List<Integer> ints(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
    }

    private Result run() throws Exception {
        List<Integer> sizes = ints(opts.getOrDefault("members", "3,5,9,17"));
        List<Integer> legs = ints(opts.getOrDefault("sip-legs", "1,2,4,8"));
        int channels = Integer.parseInt(opts.getOrDefault("channels", "1"));
        int roomApps = Integer.parseInt(opts.getOrDefault("room-apps", "4"));
        double hold = Double.parseDouble(opts.getOrDefault("hold", "20"));
        int maxMembers = Integer.parseInt(opts.getOrDefault("max-members", Integer.toString(Math.max(17,
                Math.max(sizes.stream().mapToInt(i -> i).max().orElse(0), legs.isEmpty() ? 0 : roomApps + legs.stream().mapToInt(i -> i).max().orElse(0))))));
        if (sizes.stream().anyMatch(m -> m < 2 || m > maxMembers)) {
            throw new IllegalArgumentException("--members are 2.." + maxMembers + " (--max-members, at most 32): " + sizes);
        }
        Path runDir = Files.createDirectories(out.resolve("run-" + stamp));
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        children.add(kamailio);
        List<String> jvm = List.of(opts.getOrDefault("srproxy-jvm", "-Xms256m -Xmx256m -XX:AutoBoxCacheMax=65536").trim().split("\\s+"));
        srproxy = SrproxyChild.start(Path.of(opts.getOrDefault("jar", "target/srproxy.jar")), runDir, kamailio.port(), jvm, 0,
                List.of("[rtc]", "max_members=" + maxMembers, "[conference]", "on=1", "prefix=8"));
        children.add(srproxy);
        probe = new ProcessProbe(srproxy.pid());
        CallLoadHarness.Frames opus = CallLoadHarness.opusFrames();
        peers = new LoadPeers(opus.frames, opus.lengths, 4);
        children.add(peers);
        System.out.printf("srproxy pid %d (web %d, [rtc] max_members=%d), kamailio on %d; load average %s%n", srproxy.pid(),
                srproxy.webPort(), maxMembers, kamailio.port(), loadAverage());

        int[] video = parseVideo(opts.getOrDefault("video", ""));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "6"));
        if (warmup > 0) {
            warmUp(warmup, runDir);
        }
        double idleSeconds = Double.parseDouble(opts.getOrDefault("idle", "4"));
        double idle = 0;
        if (idleSeconds > 0) {
            CallLoadHarness.Window w = CallLoadHarness.Window.open(probe);
            Thread.sleep((long) (idleSeconds * 1000));
            idle = w.close().cpuPercent(0);
            System.out.printf(Locale.ROOT, "idle srproxy: %.2f %% of a core over %.0f s%n", idle, idleSeconds);
        }
        List<ForwardLevel> forwarding = new ArrayList<>();
        for (int m : sizes) {
            ForwardLevel r = forwardLevel(channels, m, hold, idle, video);
            forwarding.add(r);
            System.out.println(forwardHeader());
            System.out.println(forwardRow(r));
            System.out.println(forwardDetails(r));
        }
        List<MixerLevel> mixer = legs.isEmpty() ? List.of() : mixerLevels(roomApps, legs, hold, runDir);
        Map<String, Double> left = LeftBehind.await(srproxy.webPort(), 15);
        Result result = new Result(idle, forwarding, mixer, left);
        report(result);
        return result;
    }

    // ---------------------------------------------------------------- forwarding

    /**
     * A 3-member room with one phone for {@code seconds}, not measured: srproxy's JIT compiles the
     * forwarding, mixing and transcoding paths before the first level.
     */
    private void warmUp(int seconds, Path runDir) throws Exception {
        System.out.printf("warm-up: 3 app members and a phone in one room for %d s ...%n", seconds);
        List<GroupMember> room = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            room.add(GroupMember.join(http, srproxy.webPort(), SrproxyChild.APP_ID, "7000", "warm" + i, peers));
        }
        try (SippCallers phone = SippCallers.start(runDir.resolve("sipp-warmup"), kamailio.port(), "8", List.of("7000"), 1, 10,
                seconds * 1000L, 1)) {
            sipp = phone;
            phone.awaitExit(seconds + 20);
            sipp = null;
        }
        for (GroupMember x : room) {
            x.leave();
        }
        LeftBehind.await(srproxy.webPort(), 15);
    }

    /** srproxy's JIT compiler threads' share of a core over the window. */
    private static double jitPercent(CallLoadHarness.Window.Close c) {
        long ticks = 0;
        for (Map.Entry<String, Long> e : c.threads1().entrySet()) {
            if (e.getKey().startsWith("C1 Compiler") || e.getKey().startsWith("C2 Compiler")) {
                ticks += e.getValue() - c.w().threads0().getOrDefault(e.getKey(), 0L);
            }
        }
        return 100.0 * ticks / ProcessProbe.TICKS_PER_SECOND / c.seconds();
    }

    /** {@code --video PxB}: P packets of B bytes every 20 ms per member; "" or 0: audio only. */
    private static int[] parseVideo(String v) {
        if (v.isBlank() || v.equals("0")) {
            return new int[] {0, 0};
        }
        String[] pb = v.split("x");
        if (pb.length != 2) {
            throw new IllegalArgumentException("--video is PACKETSxBYTES per 20 ms (e.g. 2x1000), not " + v);
        }
        return new int[] {Integer.parseInt(pb[0].trim()), Integer.parseInt(pb[1].trim())};
    }

    private ForwardLevel forwardLevel(int channels, int m, double hold, double idle, int[] video) throws Exception {
        int kinds = video[0] > 0 ? 2 : 1;
        String videoName = video[0] > 0 ? video[0] + "x" + video[1] : "";
        System.out.printf("%nforwarding: %d channel(s) of %d members, %d streams%s ...%n", channels, m, channels * m * (m - 1) * kinds,
                video[0] > 0 ? " (audio and video " + videoName + " bytes per 20 ms)" : "");
        List<GroupMember> members = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < m; i++) {
                members.add(GroupMember.join(http, srproxy.webPort(), SrproxyChild.APP_ID, "g" + m + "-" + c, "u" + i, peers,
                        video[0], video[1]));
            }
        }
        awaitUntil(() -> members.stream().allMatch(x -> x.failure() != null
                || (x.connected() && x.streamsWithMedia() >= (m - 1) * kinds)), 30);
        long lateBefore = peers.lateTicks();
        String load = loadAverage();
        Map<String, LoadPeers.StreamStats> atStart = new LinkedHashMap<>();
        for (GroupMember x : members) {
            x.mark();
            x.streamStats().forEach(t -> atStart.put(x.uid() + "/" + t.ssrc(), t));
        }
        long drops = udpReceiveDrops();
        long sendDrops = peers.sendDrops();
        Map<String, Double> mux0 = muxCounters();
        CallLoadHarness.Window w = CallLoadHarness.Window.open(probe, self);
        Thread.sleep((long) (hold * 1000));
        CallLoadHarness.Window.Close c = w.close();
        drops = udpReceiveDrops() - drops;
        sendDrops = peers.sendDrops() - sendDrops;
        Map<String, Double> muxDrops = new LinkedHashMap<>();
        muxCounters().forEach((k, v) -> {
            double d = v - mux0.getOrDefault(k, 0.0);
            if (d != 0 && !k.matches(".*(datagrams|rtpIn|rtcpIn|stunChecks).*")) {
                muxDrops.put(k, d);
            }
        });
        long rss = probe.rssKb();
        long threads = probe.threads();
        // the window's figures: each stream's packets expected and lost since the window opened, its longest gap in it
        long expected = 0;
        long lost = 0;
        long videoLost = 0;
        double worst = 0;
        List<Double> gaps = new ArrayList<>();
        for (GroupMember x : members) {
            for (LoadPeers.StreamStats t : x.streamStats()) {
                LoadPeers.StreamStats t0 = atStart.get(x.uid() + "/" + t.ssrc());
                long e = t.expected() - (t0 == null ? 0 : t0.expected());
                long l = Math.max(0, e - (t.received() - (t0 == null ? 0 : t0.received())));
                expected += e;
                lost += l;
                videoLost += t.label().endsWith("/video") ? l : 0;
                worst = Math.max(worst, e > 0 ? 100.0 * l / e : 100);
                gaps.add((double) t.longestGapSinceMarkMs());
            }
        }
        List<String> failures = new ArrayList<>();
        List<LoadPeers.StreamStats> streams = new ArrayList<>();
        for (GroupMember x : members) {
            if (x.failure() != null) {
                failures.add(x.uid() + ": " + x.failure());
            }
        }
        long srtpFailures = 0;
        for (GroupMember x : members) {
            LoadPeers.Stats st = x.leave();
            streams.addAll(st.streams());
            srtpFailures += st.srtpFailures();
        }
        Map<String, Double> left = LeftBehind.await(srproxy.webPort(), 15);
        int forwarded = channels * m * (m - 1) * kinds;
        double cpu = c.cpuPercent(0);
        return new ForwardLevel(channels, m, videoName, forwarded, (int) streams.stream().filter(s -> s.received() > 0).count(),
                failures.size(), c.seconds(), cpu, jitPercent(c), cpu / 100 * 1e6 / forwarded,
                (cpu - idle) / 100 * 1e6 / forwarded, expected, lost,
                expected > 0 ? 100.0 * lost / expected : 100, gaps.size() < forwarded ? 100 : worst,
                (long) gaps.stream().mapToDouble(g -> g).max().orElse(0), (long) LevelResult.pct(gaps, 50),
                lossPercent(streams), streams.stream().mapToLong(LoadPeers.StreamStats::longestGapMs).max().orElse(0),
                videoLost, srtpFailures, drops, sendDrops, muxDrops, rss / 1024, threads, c.cpuPercent(1), peers.lateTicks() - lateBefore, load, c.top(5),
                failures.stream().limit(10).toList(), left);
    }

    static String forwardHeader() {
        return String.format(Locale.ROOT, "%4s %4s %7s %7s %7s %5s %9s %9s %7s %7s %6s %6s %6s %6s %6s",
                "chan", "M", "streams", "w/media", "cpu", "jit", "us/s per", "above", "loss", "worst", "gap", "gap", "rss", "harn", "load")
                + "\n" + String.format(Locale.ROOT, "%4s %4s %7s %7s %7s %5s %9s %9s %7s %7s %6s %6s %6s %6s %6s",
                "", "", "C*M*M-1", "", "%core", "%", "stream", "idle", "%", "strm %", "max ms", "p50 ms", "MB", "%cpu", "1 min");
    }

    static String forwardRow(ForwardLevel r) {
        return String.format(Locale.ROOT, "%4d %4d %7d %7d %7.1f %5.1f %9.1f %9.1f %7.3f %7.2f %6d %6d %6d %6.1f %6s",
                r.channels(), r.members(), r.forwardedStreams(), r.streamsWithMedia(), r.cpuPercent(), r.jitPercent(),
                r.cpuMicrosPerSecondPerStream(), r.aboveIdleMicrosPerSecondPerStream(), r.lossPercent(), r.worstStreamLossPercent(), r.longestGapMaxMs(),
                r.longestGapP50Ms(), r.rssMb(), r.harnessCpuPercent(), r.loadAverage().split(" ")[0]);
    }

    private static String forwardDetails(ForwardLevel r) {
        return "  in the window: packets expected " + r.packetsExpected() + ", lost " + r.packetsLost()
                + (r.video().isEmpty() ? "" : " (video " + r.videoPacketsLost() + ")")
                + String.format(Locale.ROOT, "; over the streams' whole life (join and re-offers included): loss %.3f %%, longest gap %d ms",
                        r.lifeLossPercent(), r.lifeLongestGapMaxMs())
                + "; SRTP unprotect failures at the members " + r.srtpFailures()
                + "\n  UDP datagrams dropped for a full receive buffer, host-wide (/proc/net/snmp RcvbufErrors), in the window: "
                + r.udpReceiveDrops() + "; packets the peers' sockets refused (send buffer full) " + r.harnessSendDrops()
                + "; srproxy's shared-port drop counters in the window " + r.srproxyDrops()
                + "; late 20 ms ticks " + r.lateTicks()
                + "; srproxy threads " + r.threads() + "; load average " + r.loadAverage()
                + "\n  srproxy top threads: " + String.join(", ", r.topThreads())
                + (r.failures().isEmpty() ? "" : "\n  failed members: " + r.failures())
                + "\n  left in srproxy after the level: " + r.leftAfter();
    }

    // ---------------------------------------------------------------- mixer

    private List<MixerLevel> mixerLevels(int apps, List<Integer> legs, double hold, Path runDir) throws Exception {
        System.out.printf("%nmixer: room %s with %d app members, then %s SIP legs dialling 8%s ...%n", ROOM, apps, legs, ROOM);
        List<GroupMember> room = new ArrayList<>();
        for (int i = 0; i < apps; i++) {
            room.add(GroupMember.join(http, srproxy.webPort(), SrproxyChild.APP_ID, ROOM, "app" + i, peers));
        }
        awaitUntil(() -> room.stream().allMatch(x -> x.failure() != null || (x.connected() && x.streamsWithMedia() >= apps - 1)), 30);
        List<MixerLevel> levels = new ArrayList<>();
        MixerLevel alone = mixerLevel(room, 0, hold, null, 0, 0);
        levels.add(alone);
        printMixer(alone);
        for (int s : legs) {
            MixerLevel r = mixerLevel(room, s, hold, runDir.resolve("sipp-" + s), alone.cpuPercent(),
                    alone.cpuPercent() - alone.jitPercent());
            levels.add(r);
            printMixer(r);
        }
        for (GroupMember x : room) {
            x.leave();
        }
        return levels;
    }

    private void printMixer(MixerLevel r) {
        System.out.println(mixerHeader());
        System.out.println(mixerRow(r));
        System.out.println("  late 20 ms ticks " + r.lateTicks() + "; load average " + r.loadAverage()
                + "\n  srproxy top threads: " + String.join(", ", r.topThreads())
                + (r.failures().isEmpty() ? "" : "\n  failures: " + r.failures()));
    }

    /**
     * The room with {@code s} phones: sipp places them (held long enough for the window, then BYE),
     * the window opens once every app gets every phone's audio, and the level ends when sipp has
     * hung up and the apps have dropped the phones' m-lines.
     */
    private MixerLevel mixerLevel(List<GroupMember> room, int s, double hold, Path dir, double aloneCpu, double aloneCpuNoJit)
            throws Exception {
        int[] before = room.stream().mapToInt(GroupMember::streamsWithMedia).toArray();
        SippCallers phones = null;
        long holdMs = (long) (hold * 1000) + 8_000;
        long placed = System.nanoTime();
        if (s > 0) {
            System.out.printf("%nmixer: %d SIP leg(s) ...%n", s);
            phones = SippCallers.start(dir, kamailio.port(), "8", List.of(ROOM), s, 10, holdMs, s);
            sipp = phones;
            awaitUntil(() -> {
                for (int i = 0; i < room.size(); i++) {
                    GroupMember x = room.get(i);
                    if (x.failure() == null && x.streamsWithMedia() < before[i] + s) {
                        return false;
                    }
                }
                return true;
            }, 20);
        }
        int legsIn = (int) room.get(0).subscribed().stream().filter(u -> u.startsWith("sip~")).count();
        // the window ends before sipp's calls do (they were held holdMs from about when they were placed)
        double window = s == 0 ? hold : Math.min(hold, (holdMs - 3000 - (System.nanoTime() - placed) / 1_000_000) / 1000.0);
        long lateBefore = peers.lateTicks();
        String load = loadAverage();
        ProcessProbe sippProbe = phones != null ? ProcessProbe.sum(phones.pids()) : self;
        CallLoadHarness.Window w = CallLoadHarness.Window.open(probe, self, sippProbe);
        Thread.sleep((long) (Math.max(1, window) * 1000));
        CallLoadHarness.Window.Close c = w.close();
        long rss = probe.rssKb();
        List<LoadPeers.StreamStats> sip = new ArrayList<>(); // what the apps got from this level's phones so far
        for (GroupMember x : room) {
            x.streamStats().stream().filter(t -> t.label().startsWith("sip~") && !seenSsrcs.contains(t.ssrc())).forEach(sip::add);
        }
        sip.forEach(t -> seenSsrcs.add(t.ssrc()));
        List<String> failures = new ArrayList<>();
        if (phones != null) {
            if (!phones.awaitExit(holdMs / 1000 + 30)) {
                failures.add("sipp did not end its calls in time");
                phones.close();
            }
            long failed = phones.stat("FailedCall(C)");
            if (failed != 0) {
                failures.add("sipp failed calls: " + failed + " " + phones.errors());
            }
            sipp = null;
            // the apps drop the phones' m-lines (user-left, a new offer) before the next level
            awaitUntil(() -> room.stream().allMatch(x -> x.subscribed().stream().noneMatch(u -> u.startsWith("sip~"))), 15);
        }
        room.stream().filter(x -> x.failure() != null).forEach(x -> failures.add(x.uid() + ": " + x.failure()));
        double cpu = c.cpuPercent(0);
        double jit = jitPercent(c);
        return new MixerLevel(room.size(), s, legsIn, c.seconds(), cpu, jit, s == 0 ? 0 : (cpu - aloneCpu) / 100 * 1e6 / s,
                s == 0 ? 0 : (cpu - jit - aloneCpuNoJit) / 100 * 1e6 / s,
                sip.size(), (int) sip.stream().filter(t -> t.received() > 0).count(), lossPercent(sip),
                sip.stream().mapToLong(LoadPeers.StreamStats::longestGapMs).max().orElse(0), rss / 1024, c.cpuPercent(1), phones != null ? c.cpuPercent(2) : 0,
                peers.lateTicks() - lateBefore, load, c.top(5), failures);
    }

    static String mixerHeader() {
        return String.format(Locale.ROOT, "%4s %4s %5s %7s %5s %9s %9s %9s %7s %6s %6s %6s %6s %6s",
                "apps", "sip", "in", "cpu", "jit", "us/s per", "w/o jit", "sip strm", "loss", "gap", "rss", "harn", "sipp", "load")
                + "\n" + String.format(Locale.ROOT, "%4s %4s %5s %7s %5s %9s %9s %9s %7s %6s %6s %6s %6s %6s",
                "", "legs", "room", "%core", "%", "SIP leg", "per leg", "w/media", "%", "max ms", "MB", "%cpu", "%cpu", "1 min");
    }

    static String mixerRow(MixerLevel r) {
        return String.format(Locale.ROOT, "%4d %4d %5d %7.1f %5.1f %9.0f %9.0f %9s %7.3f %6d %6d %6.1f %6.1f %6s", r.apps(), r.sipLegs(),
                r.legsInRoom(), r.cpuPercent(), r.jitPercent(), r.cpuMicrosPerSecondPerLeg(), r.cpuMicrosPerSecondPerLegWithoutJit(), r.sipStreamsWithMedia() + "/" + r.sipStreams(),
                r.sipLossPercent(), r.sipLongestGapMaxMs(), r.rssMb(), r.harnessCpuPercent(),
                r.sippCpuPercent(), r.loadAverage().split(" ")[0]);
    }

    // ---------------------------------------------------------------- report

    private void report(Result r) throws Exception {
        System.out.println();
        System.out.println("summary (" + stamp + "), load average now " + loadAverage() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores:");
        if (!r.forwarding().isEmpty()) {
            System.out.println(forwardHeader());
            r.forwarding().forEach(l -> System.out.println(forwardRow(l)));
        }
        if (!r.mixer().isEmpty()) {
            System.out.println(mixerHeader());
            r.mixer().forEach(l -> System.out.println(mixerRow(l)));
        }
        System.out.printf(Locale.ROOT, "idle srproxy %.2f %%core; left in srproxy at the end: %s%n", r.idleCpuPercent(), r.leftAfter());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", stamp);
        json.put("options", opts);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("idleCpuPercent", r.idleCpuPercent());
        json.put("forwarding", r.forwarding());
        json.put("mixer", r.mixer());
        json.put("leftAfter", r.leftAfter());
        Files.createDirectories(out);
        Path jsonFile = out.resolve("group-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), json);
        System.out.print("wrote " + jsonFile);
        if (r.forwarding().size() > 1) {
            double[] xs = r.forwarding().stream().mapToDouble(ForwardLevel::forwardedStreams).toArray();
            Path svg = out.resolve("group-" + stamp + ".svg");
            Files.writeString(svg, SvgPlot.render("srproxy group channels: CPU per forwarded stream and loss",
                    "forwarded audio streams, C*M*(M-1)", new double[0], "srproxy CPU, us per second per stream",
                    "receivers' loss, %", List.of(
                            new SvgPlot.Series("CPU us/s per stream", "#1f77b4", false,
                                    r.forwarding().stream().mapToDouble(ForwardLevel::cpuMicrosPerSecondPerStream).toArray(), xs),
                            new SvgPlot.Series("loss %", "#d62728", true,
                                    r.forwarding().stream().mapToDouble(ForwardLevel::lossPercent).toArray(), xs))));
            System.out.print(" and " + svg);
        }
        System.out.println();
    }

    private static double lossPercent(List<LoadPeers.StreamStats> streams) {
        long expected = streams.stream().mapToLong(LoadPeers.StreamStats::expected).sum();
        return expected > 0 ? 100.0 * streams.stream().mapToLong(LoadPeers.StreamStats::lost).sum() / expected : 0;
    }

    /**
     * UDP datagrams the kernel dropped because a socket's receive buffer was full, over every socket of
     * this network namespace (srproxy's, the peers', and anything else running): -1 if unreadable.
     */
    static long udpReceiveDrops() {
        try {
            List<String> udp = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp: ")).toList();
            int col = Arrays.asList(udp.get(0).split(" ")).indexOf("RcvbufErrors");
            return Long.parseLong(udp.get(1).split(" ")[col]);
        } catch (Exception e) {
            return -1;
        }
    }

    /** srproxy's shared UDP port counters (/metrics srproxy_rtc_mux_*), by name. */
    private Map<String, Double> muxCounters() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : srproxy.get("/metrics").split("\n")) {
            if (line.startsWith("srproxy_rtc_mux_")) {
                int space = line.lastIndexOf(' ');
                out.merge(line.substring(0, line.indexOf(line.contains("{") ? '{' : ' ')), Double.parseDouble(line.substring(space + 1)),
                        Double::sum);
            }
        }
        return out;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static void awaitUntil(BooleanSupplier done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private synchronized void stopAll() {
        SippCallers phones = sipp;
        if (phones != null) {
            phones.close();
        }
        HarnessMain.closeAll(children);
        wsPool.shutdownNow();
    }
}
