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
 * sipp as N phones: one sipp process running the uac_load_call.xml scenario with at most
 * {@code limit} calls at once, started at most {@code rate} per second, each held {@code holdMs}
 * with RTP echo, then BYE. A call that ends is replaced by a new one (sipp's -l), so the level
 * holds. Callees are taken in turn from a CSV of &lt;prefix&gt;&lt;uid&gt; (0&lt;uid&gt; reaches srproxy
 * through Kamailio, &lt;uid&gt; alone the SIP user of that name, e.g. Janus's). {@link #softStop()}
 * lets the calls up finish without new ones.
 */
final class SippCallers implements AutoCloseable {

    private final PeerProcess process;
    private final Path dir;

    private SippCallers(PeerProcess process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    static SippCallers start(Path dir, int sipServerPort, String calleePrefix, List<String> uids, int limit, double rate,
                             long holdMs, int maxCalls) throws IOException {
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
        return new SippCallers(PeerProcess.start("sipp", cmd, dir), dir);
    }

    long pid() {
        return process.process().pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** No new calls; sipp exits when the calls up have ended (SIGUSR1, sipp's soft exit). */
    void softStop() {
        try {
            new ProcessBuilder("kill", "-USR1", Long.toString(pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean awaitExit(long seconds) throws InterruptedException {
        return process.process().waitFor(seconds, TimeUnit.SECONDS);
    }

    /** The last line of sipp's statistics (cumulative columns such as "SuccessfulCall(C)"). */
    Map<String, String> stats() throws IOException {
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

    long stat(String column) throws IOException {
        String v = stats().get(column);
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** INVITE -> 200 OK times of every answered call so far, ms (sipp's -trace_rtt). */
    List<Double> setupTimesMs() throws IOException {
        List<Double> out = new ArrayList<>();
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
        return out;
    }

    /** The warning each call's hold writes when it ends on its timer (sipp writes it with no newline). */
    private static final java.util.regex.Pattern HOLD_ENDED = java.util.regex.Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d\\t[\\d:.]+\\t[\\d.]+: Call-Id: [^,\\s]+, receive timeout on message [^,]+, jumping to label \\d+\\n?");

    /** sipp's error log, when a call failed, without the holds that ended on their timer. */
    String errors() throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_errors.log")).toList()) {
                String t = HOLD_ENDED.matcher(Files.readString(f, StandardCharsets.ISO_8859_1)).replaceAll("");
                b.append(t.length() > 3000 ? t.substring(t.length() - 3000) : t);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        process.close();
    }
}
