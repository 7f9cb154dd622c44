package io.srproxy.bench;

import io.srproxy.sip.harness.PeerProcess;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * sipp as N phones: sipp processes running the uac_load_call.xml scenario with at most
 * {@code limit} calls at once between them, started at most {@code rate} per second, each held
 * {@code holdMs} with RTP echo, then BYE. A call that ends is replaced by a new one (sipp's -l), so
 * the level holds. Callees are taken in turn from a CSV of &lt;prefix&gt;&lt;uid&gt; (0&lt;uid&gt;
 * reaches srproxy through Kamailio, &lt;uid&gt; alone the SIP user of that name, e.g. Janus's).
 * Several processes share a level when one would be the bottleneck: a sipp echoes every call's
 * RTP on one socket, which drops datagrams from about 400 calls on this machine (docs/benchmarks.md);
 * each process then has its own share of the calls, the rate and the callees (no callee is called by
 * two). {@link #softStop()} lets the calls up finish without new ones.
 */
final class SippCallers implements AutoCloseable {

    private final List<PeerProcess> processes;
    private final List<Path> dirs;

    private SippCallers(List<PeerProcess> processes, List<Path> dirs) {
        this.processes = processes;
        this.dirs = dirs;
    }

    static SippCallers start(Path dir, int sipServerPort, String calleePrefix, List<String> uids, int limit, double rate,
                             long holdMs, int maxCalls) throws IOException {
        return start(dir, sipServerPort, calleePrefix, uids, limit, rate, holdMs, maxCalls, 1);
    }

    /** As above, over {@code count} sipp processes (at most one per callee, per call and per placed call). */
    static SippCallers start(Path dir, int sipServerPort, String calleePrefix, List<String> uids, int limit, double rate,
                             long holdMs, int maxCalls, int count) throws IOException {
        // no process without a callee, a call or a placed call of its own
        int k = Math.max(1, Math.min(Math.min(count, uids.size()), Math.min(limit, maxCalls)));
        List<PeerProcess> started = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                List<String> mine = new ArrayList<>();
                for (int u = i; u < uids.size(); u += k) {
                    mine.add(uids.get(u));
                }
                Path d = k == 1 ? dir : dir.resolve("sipp-" + i);
                started.add(startOne(d, sipServerPort, calleePrefix, mine, share(limit, k, i), rate / k, holdMs,
                        share(maxCalls, k, i)));
                dirs.add(Files.createDirectories(d).toAbsolutePath());
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(PeerProcess::close);
            throw e;
        }
        return new SippCallers(started, dirs);
    }

    /** Process i's part of n split over k (the first ones take the remainder), at least 1. */
    private static int share(int n, int k, int i) {
        return Math.max(1, n / k + (i < n % k ? 1 : 0));
    }

    private static PeerProcess startOne(Path dir, int sipServerPort, String calleePrefix, List<String> uids, int limit,
                                        double rate, long holdMs, int maxCalls) throws IOException {
        dir = Files.createDirectories(dir).toAbsolutePath(); // sipp runs in dir: no path relative to ours
        Path scenario = dir.resolve("uac_load_call.xml");
        try (InputStream in = SippCallers.class.getResourceAsStream("/sipp/uac_load_call.xml")) {
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            Files.writeString(scenario, text.replace("@HOLD_MS@", Long.toString(holdMs)), StandardCharsets.ISO_8859_1);
        }
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        uids.forEach(u -> csv.append(calleePrefix).append(u).append(";\n"));
        Path users = Files.writeString(dir.resolve("callees.csv"), csv.toString(), StandardCharsets.US_ASCII);
        int port = FreePorts.tcpAndUdp();
        List<String> cmd = new ArrayList<>(List.of(Peers.sipp().toString(), "-sf", scenario.toString(),
                "-inf", users.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-mi", "127.0.0.1", "-mp", Integer.toString(FreePorts.tcpAndUdp()), "-rtp_echo",
                "-r", String.format(java.util.Locale.ROOT, "%.0f", rate * 1000), "-rp", "1000s",
                "-l", Integer.toString(limit), "-m", Integer.toString(maxCalls),
                "-recv_timeout", "30000", "-nostdin", "-trace_stat", "-stf", dir.resolve("stat.csv").toString(),
                "-fd", "1", "-trace_rtt", "-rtt_freq", "1", "-trace_err",
                "127.0.0.1:" + sipServerPort));
        return PeerProcess.start("sipp", cmd, dir);
    }

    /** The sipp processes' pids. */
    long[] pids() {
        return processes.stream().mapToLong(p -> p.process().pid()).toArray();
    }

    boolean isAlive() {
        return processes.stream().anyMatch(PeerProcess::isAlive);
    }

    /** No new calls; each sipp exits when its calls up have ended (SIGUSR1, sipp's soft exit). */
    void softStop() {
        for (PeerProcess p : processes) {
            try {
                new ProcessBuilder("kill", "-USR1", Long.toString(p.process().pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                p.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean awaitExit(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        for (PeerProcess p : processes) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!p.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** The last line of one sipp's statistics (cumulative columns such as "SuccessfulCall(C)"). */
    private static Map<String, String> stats(Path dir) throws IOException {
        Path f = dir.resolve("stat.csv");
        Map<String, String> out = new HashMap<>();
        if (!Files.exists(f)) {
            return out;
        }
        List<String> lines = Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) {
            return out;
        }
        String[] names = lines.get(0).split(";");
        String[] values = lines.get(lines.size() - 1).split(";");
        for (int i = 0; i < Math.min(names.length, values.length); i++) {
            out.put(names[i], values[i]);
        }
        return out;
    }

    /** A cumulative count column summed over the processes; -1 when none has it. */
    long stat(String column) throws IOException {
        long sum = -1;
        for (Path dir : dirs) {
            String v = stats(dir).get(column);
            try {
                if (v != null) {
                    sum = Math.max(sum, 0) + Long.parseLong(v.trim());
                }
            } catch (NumberFormatException e) {
                // not a count
            }
        }
        return sum;
    }

    /** INVITE -> 200 OK times of every answered call so far, ms (sipp's -trace_rtt). */
    List<Double> setupTimesMs() throws IOException {
        List<Double> out = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_rtt.csv")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        String[] cols = line.split(";");
                        if (cols.length >= 2) {
                            try {
                                out.add(Double.parseDouble(cols[1].trim()));
                            } catch (NumberFormatException header) {
                                // the header line
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The warning each call's hold writes when it ends on its timer (sipp writes it with no newline). */
    private static final java.util.regex.Pattern HOLD_ENDED = java.util.regex.Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d\\t[\\d:.]+\\t[\\d.]+: Call-Id: [^,\\s]+, receive timeout on message [^,]+, jumping to label \\d+\\n?");

    /** sipp's error logs, when a call failed, without the holds that ended on their timer. */
    String errors() throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_errors.log")).toList()) {
                    String t = HOLD_ENDED.matcher(Files.readString(f, StandardCharsets.ISO_8859_1)).replaceAll("");
                    b.append(t.length() > 3000 ? t.substring(t.length() - 3000) : t);
                }
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        processes.forEach(PeerProcess::close);
    }
}
