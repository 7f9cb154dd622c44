package io.srproxy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.rtc.webrtc.LoadPeers;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * End-to-end call load on one srproxy, or on Janus, or on both one after the other at the same
 * levels (docs/benchmarks.md, "Load harness"): Kamailio as the SIP server, sipp as the phones
 * (held with RTP echo), and on the called side either srproxy from target/srproxy.jar as a child
 * JVM (sipp calls 0&lt;uid&gt;; app users on /rtm + /rtc with real DTLS-SRTP peers sending Opus) or
 * Janus's SIP plugin (sipp calls &lt;uid&gt;, which a Janus handle registered; the same peers answer
 * Janus's offer and send PCMU, which Janus relays). Ramps through levels of concurrent calls, or
 * holds one level for a soak; measures the server from /proc (and srproxy's heap with jcmd).
 * Writes tables to stdout and JSON + SVG to target/load/. Stops by itself, and stops its children
 * on exit or Ctrl-C.
 *
 * <pre>
 * --target srproxy    srproxy, janus, or both (srproxy's levels, then Janus's, one plot)
 * --levels 10,25,50   concurrent calls per level          --hold 30        seconds measured per level
 * --call-seconds 10   how long sipp holds each call       --rate 5         new calls per second at most
 * --soak MINUTES      soak mode instead of levels         --calls 20       calls held in soak mode
 * --sample 30         soak sampling period, seconds       --out target/load
 * --jar target/srproxy.jar                                --srproxy-jvm "-Xms256m -Xmx256m -XX:AutoBoxCacheMax=65536"
 * --janus-debug 3     Janus's log level (0..7)
 * --app-audio opus    what the srproxy apps offer and send: opus (transcoded against the phones'
 *                     PCMU) or pcmu (G.711 passthrough)
 * --max-calls N       calls placed per level at most (default: no limit; each ended call is replaced)
 * --sipp-processes K  sipp processes calling a sip-to-app level between them (default: one per 200 calls)
 * --harness-io-threads T   threads sending and receiving the app peers' media (default 1), their 20 ms
 *                     clocks 20/T ms apart
 * --direction sip-to-app   sip-to-app: sipp calls srproxy's apps (which accept); app-to-sip: srproxy's
 *                     apps call gateway accounts 3xxxx (one each) with Pstn, srproxy calls 9&lt;number&gt; through
 *                     Kamailio, and a sipp UAS answers with PCMU and echoes; app-to-app: pairs of apps,
 *                     one inviting the other over /rtm, both in one /rtc channel (srproxy only)
 * </pre>
 */
public final class CallLoadHarness {

    /** The SIP users Janus's handles register as (uids 700000..), allowed to register at Kamailio. */
    private static final String JANUS_USERS = "^7[0-9]{5}$";
    /** The app peers' media on one thread unless --harness-io-threads says otherwise. */
    private static final int DEFAULT_IO_THREADS = 1;

    private final Map<String, String> opts;
    private final Path out;
    private final List<AutoCloseable> children = new ArrayList<>();
    private final List<AutoCloseable> targetChildren = new ArrayList<>(); // the current target's, stopped before the next
    private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    private final ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
    /**
     * Calls per sipp process by default (--sipp-processes overrides): sipp echoes every call's RTP
     * on one socket, whose receive queue overflowed at 400 calls (docs/benchmarks.md).
     */
    static final int SIPP_CALLS_EACH = 200;
    private KamailioServer kamailio;
    private int srproxyWebPort = -1;
    // the target being measured: srproxy or janus
    private String target;
    private ProcessProbe probe;
    private LoadPeers peers;
    private CallSide fleet;
    private String calleePrefix;
    private BooleanSupplier targetAlive;
    private List<String> uids;
    private volatile SippCallers sipp; // the phones now running, stopped first on exit
    private String direction;
    private int pstnPort;
    private AppCallers callers;      // app-to-sip and app-to-app: the apps placing the calls
    private AppFleet callees;        // app-to-app: the apps answering them
    private SippAnswerers answerers; // app-to-sip: the far end

    private CallLoadHarness(Map<String, String> opts) {
        this.opts = opts;
        this.out = Path.of(opts.getOrDefault("out", "target/load"));
    }

    public static void main(String[] args) {
        HarnessMain.main(args, "CallLoadHarness [--target srproxy|janus|both] [--levels 10,25,50] [--hold 30] [--call-seconds 10] [--rate 5]"
                + " [--soak MINUTES --calls N --sample 30] [--out target/load] [--jar target/srproxy.jar]"
                + " [--srproxy-jvm \"-Xmx256m\"] [--janus-debug 3]", CallLoadHarness::run);
    }

    /**
     * Runs the levels (or the soak) of {@code opts} (the command line's options without "--") and
     * returns each level's figures (the soak's summary) of the first target; every child is stopped
     * before it returns, or by a shutdown hook if the JVM is stopped first.
     */
    public static List<LevelResult> run(Map<String, String> opts) throws Exception {
        return runTargets(opts).values().iterator().next();
    }

    /** Like {@link #run(Map)}, with every target's levels, by target name, in the order run. */
    public static Map<String, List<LevelResult>> runTargets(Map<String, String> opts) throws Exception {
        CallLoadHarness h = new CallLoadHarness(opts);
        return HarnessMain.withStop(h::stopAll, "load-harness-stop", h::run);
    }

    private int intOpt(String name, int def) {
        return Integer.parseInt(opts.getOrDefault(name, Integer.toString(def)));
    }

    private double doubleOpt(String name, double def) {
        return Double.parseDouble(opts.getOrDefault(name, Double.toString(def)));
    }

    private Map<String, List<LevelResult>> run() throws Exception {
        Files.createDirectories(out);
        boolean soak = opts.containsKey("soak");
        String targetOpt = opts.getOrDefault("target", "srproxy");
        List<String> targets = switch (targetOpt) {
            case "srproxy", "janus" -> List.of(targetOpt);
            case "both" -> List.of("srproxy", "janus");
            default -> throw new IllegalArgumentException("--target is srproxy, janus or both, not " + targetOpt);
        };
        if (soak && targets.size() > 1) {
            throw new IllegalArgumentException("--soak runs one target: --target srproxy or --target janus");
        }
        List<Integer> levels = soak ? List.of(intOpt("calls", 20))
                : Arrays.stream(opts.getOrDefault("levels", "10,25,50").split(",")).map(String::trim).map(Integer::parseInt).toList();
        int maxCalls = levels.stream().mapToInt(i -> i).max().orElse(1);
        Path runDir = Files.createDirectories(out.resolve("run-" + stamp));
        direction = opts.getOrDefault("direction", "sip-to-app");
        if (!List.of("sip-to-app", "app-to-sip", "app-to-app").contains(direction)) {
            throw new IllegalArgumentException("--direction is sip-to-app, app-to-sip or app-to-app, not " + direction);
        }
        if (!direction.equals("sip-to-app") && (soak || !targets.equals(List.of("srproxy")))) {
            throw new IllegalArgumentException("--direction " + direction + " runs levels against srproxy only (no --soak, no janus)");
        }

        pstnPort = FreePorts.tcpAndUdp(); // Kamailio routes 9<number> here: app-to-sip's sipp UAS
        kamailio = KamailioServer.start("1000", pstnPort, KamailioServer.ZeroMode.KEEP, 300, JANUS_USERS);
        children.add(kamailio);
        // twice as many users as calls: a user's next call never meets its last one still ending
        uids = IntStream.range(0, 2 * maxCalls).mapToObj(i -> Integer.toString(700000 + i)).toList();
        Map<String, List<LevelResult>> all = new LinkedHashMap<>();
        for (String t : targets) {
            startTarget(t, runDir);
            if (soak) {
                all.put(t, List.of(new Soak(this, runDir).run(levels.get(0), doubleOpt("soak", 5), intOpt("sample", 30))));
            } else {
                all.put(t, runLevels(levels, runDir));
            }
            stopTarget();
        }
        if (!soak) {
            report(all);
        }
        return all;
    }

    /** Starts {@code name}'s server and its called side (users logged in or registered), idle. */
    private void startTarget(String name, Path runDir) throws Exception {
        target = name;
        if (name.equals("srproxy")) {
            List<String> jvm = List.of(opts.getOrDefault("srproxy-jvm", "-Xms256m -Xmx256m -XX:AutoBoxCacheMax=65536").trim().split("\\s+"));
            // --conf "[media];opus_complexity=0": lines (';'-separated) added to srproxy's rtx.conf
            List<String> moreConf = opts.containsKey("conf") ? List.of(opts.get("conf").split(";")) : List.of();
            SrproxyChild srproxy = SrproxyChild.start(Path.of(opts.getOrDefault("jar", "target/srproxy.jar")), runDir,
                    kamailio.port(), jvm, direction.equals("app-to-sip") ? uids.size() : 0, moreConf);
            targetChildren.add(srproxy);
            probe = new ProcessProbe(srproxy.pid());
            // --app-audio pcmu: the apps offer PCMU alone, so srproxy passes the phones' PCMU through
            peers = opts.getOrDefault("app-audio", "opus").equalsIgnoreCase("pcmu")
                    ? new LoadPeers(LoadPeers.Audio.PCMU, pcmuFrames(), pcmuLengths(), 4, InetAddress.getLoopbackAddress(), ioThreads())
                    : new LoadPeers(LoadPeers.Audio.OPUS, opusFrames().frames, opusFrames().lengths, 4, InetAddress.getLoopbackAddress(), ioThreads());
            targetChildren.add(peers);
            srproxyWebPort = srproxy.webPort();
            calleePrefix = "0";
            targetAlive = srproxy::isAlive;
            if (direction.equals("sip-to-app")) {
                AppFleet apps = new AppFleet(srproxy.webPort(), SrproxyChild.APP_ID, peers);
                targetChildren.add(apps);
                fleet = apps;
                apps.login(uids);
            } else {
                startAppCallers(srproxy.webPort(), runDir);
            }
            System.out.printf("%nsrproxy pid %d (web %d), kamailio on %d, %d app users logged in; idle srproxy: rss %d MB, heap after GC %d MB, %d threads, %d fds%n",
                    srproxy.pid(), srproxy.webPort(), kamailio.port(), uids.size(), probe.rssKb() / 1024,
                    probe.heapAfterGcKb() / 1024, probe.threads(), probe.fds());
        } else {
            srproxyWebPort = -1; // with --target both, srproxy has stopped: nothing of it to read after Janus's levels
            JanusServer janus = JanusServer.start(runDir.resolve("janus"), intOpt("janus-debug", 3));
            targetChildren.add(janus);
            probe = new ProcessProbe(janus.pid(), false);
            // the peers on Janus's own candidate address: from its libnice sockets (bound there) to
            // peers on 127.0.0.1 nothing arrived, though our checks reached Janus the other way

            peers = new LoadPeers(LoadPeers.Audio.PCMU, pcmuFrames(), pcmuLengths(), 4, InetAddress.getByName(janus.iceIp()), ioThreads());
            targetChildren.add(peers);
            JanusFleet users = new JanusFleet(janus.wsPort(), kamailio.port(), peers);
            targetChildren.add(users);
            fleet = users;
            calleePrefix = "";
            targetAlive = janus::isAlive;
            try {
                users.register(uids);
            } catch (Exception e) {
                throw new IllegalStateException("janus's SIP users did not all register (" + e + "); janus's log:\n" + janus.logTail(), e);
            }
            System.out.printf("%njanus pid %d (ws %d, ICE on %s), kamailio on %d, %d SIP plugin users registered; idle janus: rss %d MB, %d threads, %d fds%n",
                    janus.pid(), janus.wsPort(), janus.iceIp(), kamailio.port(), uids.size(), probe.rssKb() / 1024,
                    probe.threads(), probe.fds());
        }
    }

    /**
     * app-to-sip: each app invites a gateway account of its own (3xxxx) with {@code "Pstn":true} (srproxy calls
     * 9&lt;number&gt; through Kamailio, where a sipp UAS answers and echoes); app-to-app: apps 8xxxxx
     * invite apps 7xxxxx, which accept and join the channel too.
     */
    private void startAppCallers(int webPort, Path runDir) throws Exception {
        if (direction.equals("app-to-sip")) {
            answerers = SippAnswerers.start(runDir.resolve("sipp-uas"), pstnPort);
            targetChildren.add(answerers);
        } else {
            callees = new AppFleet(webPort, SrproxyChild.APP_ID, peers);
            targetChildren.add(callees);
            callees.login(uids);
        }
        AppCallers[] self = new AppCallers[1];
        boolean toSip = direction.equals("app-to-sip");
        self[0] = new AppCallers(webPort, SrproxyChild.APP_ID, peers, caller -> {
            String channel = self[0].nextChannel();
            return toSip
                    ? new AppCallers.Invite(String.format(java.util.Locale.ROOT, "3%04d", Integer.parseInt(caller) - 800000), "{\"Mode\":1,\"Conference\":false,\"Pstn\":true,\"SipData\":\"5" + caller
                            + "\",\"ChanId\":\"" + channel + "\",\"UserData\":\"\"}", channel)
                    : new AppCallers.Invite("7" + caller.substring(1), "{\"Mode\":1,\"Conference\":false,\"UserData\":\"\",\"SipData\":\"\",\"ChanId\":\""
                            + channel + "\"}", channel);
        });
        callers = self[0];
        targetChildren.add(callers);
        fleet = callers;
        callers.login(uids.stream().map(u -> "8" + u.substring(1)).toList());
    }

    /** Stops the current target's side, its peers and its server. */
    private synchronized void stopTarget() {
        HarnessMain.closeAll(targetChildren);
    }

    private List<LevelResult> runLevels(List<Integer> levels, Path runDir) throws Exception {
        List<LevelResult> results = new ArrayList<>();
        for (int n : levels) {
            LevelResult r = runLevel(n, runDir.resolve(target + "-level-" + n));
            results.add(r);
            System.out.println(LevelResult.header());
            System.out.println(r.row());
            System.out.println(r.details());
        }
        return results;
    }

    /** Every target's table, then one JSON and one plot with a CPU and a loss line per target. */
    private void report(Map<String, List<LevelResult>> all) throws Exception {
        List<SvgPlot.Series> series = new ArrayList<>();
        String[][] colors = {{"#1f77b4", "#d62728"}, {"#2ca02c", "#ff7f0e"}};
        int i = 0;
        for (Map.Entry<String, List<LevelResult>> e : all.entrySet()) {
            List<LevelResult> results = e.getValue();
            System.out.println();
            System.out.println("summary " + e.getKey() + " (" + stamp + "):");
            System.out.println(LevelResult.header());
            results.forEach(r -> System.out.println(r.row()));
            double[] xs = results.stream().mapToDouble(LevelResult::meanCallsUp).toArray();
            String[] c = colors[i++ % colors.length];
            series.add(new SvgPlot.Series(e.getKey() + " CPU us/s per call", c[0], false,
                    results.stream().mapToDouble(LevelResult::cpuMicrosPerSecondPerCall).toArray(), xs));
            series.add(new SvgPlot.Series(e.getKey() + " loss %", c[1], true,
                    results.stream().mapToDouble(LevelResult::lossPercent).toArray(), xs));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", stamp);
        json.put("options", opts);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("targets", all);
        Path jsonFile = out.resolve("levels-" + stamp + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), json);
        Path svg = out.resolve("levels-" + stamp + ".svg");
        Files.writeString(svg, SvgPlot.render(String.join(" vs ", all.keySet()) + ": CPU per call and loss by concurrent calls",
                "concurrent calls (mean up)", new double[0], "server CPU, us per second per call", "app-side loss, %", series));
        System.out.println("wrote " + jsonFile + " and " + svg);
    }

    /** One level: fill to n calls, measure for --hold seconds, then let the calls end. */
    private LevelResult runLevel(int n, Path dir) throws Exception {
        LevelResult r = direction.equals("sip-to-app") ? runSipLevel(n, dir) : runAppLevel(n);
        return srproxyWebPort > 0 ? r.withLeftAfter(LeftBehind.await(srproxyWebPort, 15)) : r;
    }

    /** One level placed by the apps (app-to-sip, app-to-app): as {@link #runSipLevel}, with {@link AppCallers} as the phones. */
    private LevelResult runAppLevel(int n) throws Exception {
        double rate = doubleOpt("rate", 5);
        long holdMs = (long) (doubleOpt("call-seconds", 10) * 1000);
        double holdSeconds = doubleOpt("hold", 30);
        callers.drainResults();
        if (callees != null) {
            callees.drainResults();
        }
        System.out.printf("%n%s %s level %d: calling at %.1f/s, each call held %d s ...%n", target, direction, n, rate, holdMs / 1000);
        callers.start(n, rate, holdMs, intOpt("max-calls", Integer.MAX_VALUE));
        ProcessProbe farEnd = answerers != null ? new ProcessProbe(answerers.pid()) : self;
        long rampDeadline = System.nanoTime() + (long) ((n / rate + 20) * 1e9);
        while (callers.connected() < Math.ceil(n * 0.9) && System.nanoTime() < rampDeadline && targetAlive.getAsBoolean()) {
            Thread.sleep(200);
        }
        long lateBefore = peers.lateTicks();
        Window w = Window.open(probe, self, farEnd);
        peers.openWindow();
        double upSum = 0;
        int samples = 0;
        long end = System.nanoTime() + (long) (holdSeconds * 1e9);
        while (System.nanoTime() < end && targetAlive.getAsBoolean()) {
            Thread.sleep(1000);
            upSum += callers.connected();
            samples++;
        }
        LoadPeers.Window window = peers.closeWindow().get(10, java.util.concurrent.TimeUnit.SECONDS);
        Window.Close c = w.close();
        long rss = probe.rssKb();
        long threads = probe.threads();
        long fds = probe.fds();
        long heap = probe.heapAfterGcKb(); // a full GC: the calls up see it as a gap, after the window
        callers.softStop();
        long drain = System.nanoTime() + (holdMs + 40_000) * 1_000_000L;
        while ((callers.live() > 0 || (callees != null && callees.live() > 0)) && System.nanoTime() < drain) {
            Thread.sleep(200);
        }
        Thread.sleep(500); // the last peers' statistics come from the I/O thread
        List<AppCall.Result> results = new ArrayList<>(callers.drainResults());
        if (callees != null) {
            results.addAll(callees.drainResults());
        }
        long[] counts = callers.counts();
        if (counts[2] > 0) {
            System.out.println("  failed calls (first 20): " + callers.failures());
        }
        return LevelResult.of(n, c.seconds(), samples > 0 ? upSum / samples : 0, counts, callers.setupTimesMs(),
                results, window, c.cpuPercent(0), c.top(5), rss, heap, threads, fds, c.cpuPercent(1),
                c.cpuPercent(2), peers.lateTicks() - lateBefore).withHostFigures(c.udpDrops(target, "harness", "far end"), c.hostCpu());
    }

    /** One level called by sipp (sip-to-app). */
    private LevelResult runSipLevel(int n, Path dir) throws Exception {
        double rate = doubleOpt("rate", 5);
        long holdMs = (long) (doubleOpt("call-seconds", 10) * 1000);
        double holdSeconds = doubleOpt("hold", 30);
        fleet.drainResults();
        System.out.printf("%n%s level %d: calling at %.1f/s, each call held %d s ...%n", target, n, rate, holdMs / 1000);
        // one sipp echoes all its calls' RTP on one socket: at most SIPP_CALLS_EACH calls per process
        int processes = intOpt("sipp-processes", (n + SIPP_CALLS_EACH - 1) / SIPP_CALLS_EACH);
        try (SippCallers sipp = track(SippCallers.start(dir, kamailio.port(), calleePrefix, uids, n, rate, holdMs,
                intOpt("max-calls", 1_000_000), processes))) {
            ProcessProbe sippProbe = ProcessProbe.sum(sipp.pids());
            long rampDeadline = System.nanoTime() + (long) ((n / rate + 20) * 1e9);
            while (fleet.connected() < Math.ceil(n * 0.9) && System.nanoTime() < rampDeadline && sipp.isAlive()) {
                Thread.sleep(200);
            }
            long lateBefore = peers.lateTicks();
            Window w = Window.open(probe, self, sippProbe);
            peers.openWindow();
            double upSum = 0;
            int samples = 0;
            long end = System.nanoTime() + (long) (holdSeconds * 1e9);
            while (System.nanoTime() < end && targetAlive.getAsBoolean()) {
                Thread.sleep(1000);
                upSum += fleet.connected();
                samples++;
            }
            LoadPeers.Window window = peers.closeWindow().get(10, java.util.concurrent.TimeUnit.SECONDS);
            Window.Close c = w.close();
            long rss = probe.rssKb();
            long threads = probe.threads();
            long fds = probe.fds();
            long heap = probe.heapAfterGcKb(); // a full GC: the calls up see it as a gap, after the window
            sipp.softStop();
            if (!sipp.awaitExit(holdMs / 1000 + 40)) {
                System.out.println("  sipp did not stop within the call time + 40 s; killing it");
            }
            long drain = System.nanoTime() + 15_000_000_000L;
            while (fleet.live() > 0 && System.nanoTime() < drain) {
                Thread.sleep(200);
            }
            Thread.sleep(500); // the last peers' statistics come from the I/O thread
            long[] sippCounts = {sipp.stat("TotalCallCreated"), sipp.stat("SuccessfulCall(C)"), sipp.stat("FailedCall(C)")};
            if (sippCounts[2] > 0) {
                String err = sipp.errors();
                System.out.println("  sipp errors (tail):\n" + (err.length() > 1500 ? err.substring(err.length() - 1500) : err));
            }
            return LevelResult.of(n, c.seconds(), samples > 0 ? upSum / samples : 0, sippCounts, sipp.setupTimesMs(),
                    fleet.drainResults(), window, c.cpuPercent(0), c.top(5), rss, heap, threads, fds, c.cpuPercent(1),
                    c.cpuPercent(2), peers.lateTicks() - lateBefore).withHostFigures(c.udpDrops(target, "harness", "sipp"), c.hostCpu());
        }
    }

    /** {@code --harness-io-threads}: the threads the app peers' media is spread over. */
    private int ioThreads() {
        return intOpt("harness-io-threads", DEFAULT_IO_THREADS);
    }

    /** Remembers the running sipp so that an exit (Ctrl-C) stops it too. */
    SippCallers track(SippCallers phones) {
        sipp = phones;
        return phones;
    }

    /** The srproxy under test's web port (its /api), or -1 when the target is another server. */
    int srproxyWebPort() {
        return srproxyWebPort;
    }

    CallSide fleet() {
        return fleet;
    }

    String target() {
        return target;
    }

    String calleePrefix() {
        return calleePrefix;
    }

    ProcessProbe probe() {
        return probe;
    }

    ProcessProbe self() {
        return self;
    }

    KamailioServer kamailio() {
        return kamailio;
    }

    List<String> uids() {
        return uids;
    }

    LoadPeers peers() {
        return peers;
    }

    Path out() {
        return out;
    }

    String stamp() {
        return stamp;
    }

    Map<String, String> opts() {
        return opts;
    }

    double rate() {
        return doubleOpt("rate", 5);
    }

    long callMillis() {
        return (long) (doubleOpt("call-seconds", 10) * 1000);
    }

    /** Stops every child in reverse order of start; safe to call twice (exit and shutdown hook). */
    private synchronized void stopAll() {
        SippCallers phones = sipp;
        if (phones != null) {
            phones.close();
        }
        stopTarget();
        HarnessMain.closeAll(children);
    }

    /** 50 Opus frames (1 s) of a 440 Hz tone, encoded once; the peers cycle through them. */
    static final class Frames {
        final byte[][] frames = new byte[50][OpusEncoder.MAX_PACKET];
        final int[] lengths = new int[50];
    }

    private static Frames frames;
    private static byte[][] pcmu;

    /** 50 PCMU frames (1 s, 160 bytes each) of a 440 Hz tone at 8 kHz, for Janus (it relays, never transcodes). */
    private static synchronized byte[][] pcmuFrames() {
        if (pcmu == null) {
            short[] tone = Tones.sine(440, 8000, 1, 0.3);
            byte[][] f = new byte[50][160];
            for (int i = 0; i < 50; i++) {
                G711.encode(tone, i * 160, f[i], 0, 160, false);
            }
            pcmu = f;
        }
        return pcmu;
    }

    private static int[] pcmuLengths() {
        int[] l = new int[50];
        Arrays.fill(l, 160);
        return l;
    }

    static synchronized Frames opusFrames() {
        if (frames == null) {
            Frames f = new Frames();
            short[] tone = Tones.sine(440, 48000, 1, 0.3);
            try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
                for (int i = 0; i < 50; i++) {
                    f.lengths[i] = enc.encode(tone, i * 960, 960, f.frames[i], 0);
                }
            }
            frames = f;
        }
        return frames;
    }

    /**
     * CPU readings of srproxy, the harness and sipp between two instants, the datagrams the kernel
     * dropped at each one's UDP sockets (a full receive buffer) and host-wide, and the host's CPU
     * by kind.
     */
    record Window(long t0, ProcessProbe[] probes, long[] ticks0, Map<String, Long> threads0,
                  UdpDrops.Snapshot[] drops0, UdpDrops.HostCounters host0, HostCpu cpu0) {
        static Window open(ProcessProbe... probes) {
            UdpDrops.Snapshot[] d = UdpDrops.each(pidsOf(probes)); // before the CPU readings: reading /proc costs the harness CPU
            UdpDrops.HostCounters host = UdpDrops.host();
            long[] t = new long[probes.length];
            for (int i = 0; i < probes.length; i++) {
                t[i] = probes[i].cpuTicks();
            }
            return new Window(System.nanoTime(), probes, t, probes[0].threadTicks(), d, host, HostCpu.read());
        }

        Close close() {
            HostCpu cpu = HostCpu.read();
            long[] t = new long[probes.length];
            for (int i = 0; i < probes.length; i++) {
                t[i] = probes[i].cpuTicks();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> threads = probes[0].threadTicks();
            return new Close(this, seconds, t, threads, UdpDrops.each(pidsOf(probes)), UdpDrops.host(), cpu);
        }

        private static long[][] pidsOf(ProcessProbe[] probes) {
            long[][] pids = new long[probes.length][];
            for (int i = 0; i < probes.length; i++) {
                pids[i] = probes[i].pids();
            }
            return pids;
        }

        record Close(Window w, double seconds, long[] ticks1, Map<String, Long> threads1,
                     UdpDrops.Snapshot[] drops1, UdpDrops.HostCounters host1, HostCpu cpu1) {
            /** The host's CPU by kind in the window, percent of all cores (steal: taken by the hypervisor). */
            Map<String, Double> hostCpu() {
                return cpu1.percentSince(w.cpu0);
            }

            double cpuPercent(int i) {
                return 100.0 * (ticks1[i] - w.ticks0[i]) / ProcessProbe.TICKS_PER_SECOND / seconds;
            }

            List<String> top(int n) {
                return ProcessProbe.topThreads(w.threads0, threads1, seconds, n);
            }

            /**
             * Datagrams dropped in the window at the sockets of each probe ({@code names} in the
             * order the window was opened with), then host-wide: receive and send buffer errors.
             */
            Map<String, Long> udpDrops(String... names) {
                Map<String, Long> out = new java.util.LinkedHashMap<>();
                for (int i = 0; i < names.length && i < drops1.length; i++) {
                    out.put(names[i], drops1[i].since(w.drops0[i]));
                }
                for (int i = 0; i < names.length && i < drops1.length; i++) {
                    // the ports that dropped most: a shared media port, or one call's own socket
                    String name = names[i];
                    drops1[i].byPortSince(w.drops0[i]).entrySet().stream()
                            .sorted(Map.Entry.<Integer, Long>comparingByValue().reversed()).limit(3)
                            .forEach(e -> out.put(name + " port " + e.getKey(), e.getValue()));
                }
                UdpDrops.HostCounters host = host1.minus(w.host0);
                out.put("host receive-buffer errors", host.receiveBufferErrors());
                out.put("host send-buffer errors", host.sendBufferErrors());
                return out;
            }
        }
    }
}
