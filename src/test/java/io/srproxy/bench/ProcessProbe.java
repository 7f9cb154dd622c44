package io.srproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a process costs, read from Linux's /proc (CPU ticks of the process and of each thread,
 * RSS, threads, open descriptors) and, for a JVM, its heap after a full GC through jcmd.
 */
final class ProcessProbe {

    static final long TICKS_PER_SECOND = clockTicks();

    private final long pid;
    private final boolean jvm;
    /** Further processes whose CPU {@link #cpuTicks()} adds (several sipp as one far end). */
    private final long[] others;

    ProcessProbe(long pid) {
        this(pid, true);
    }

    /** {@code jvm} false: a native process (Janus), whose heap is not asked for. */
    ProcessProbe(long pid, boolean jvm) {
        this(pid, jvm, new long[0]);
    }

    private ProcessProbe(long pid, boolean jvm, long[] others) {
        this.pid = pid;
        this.jvm = jvm;
        this.others = others;
    }

    /** Native processes read as one for CPU (the other readings are the first one's). */
    static ProcessProbe sum(long[] pids) {
        return new ProcessProbe(pids[0], false, java.util.Arrays.copyOfRange(pids, 1, pids.length));
    }

    long pid() {
        return pid;
    }

    /** This process and the further ones it sums. */
    long[] pids() {
        long[] all = java.util.Arrays.copyOf(new long[] {pid}, 1 + others.length);
        System.arraycopy(others, 0, all, 1, others.length);
        return all;
    }

    /** user + system CPU ticks so far (the process with all its threads). */
    long cpuTicks() {
        long t = ticksOf(Path.of("/proc", Long.toString(pid), "stat"));
        for (long other : others) {
            t += Math.max(0, ticksOf(Path.of("/proc", Long.toString(other), "stat")));
        }
        return t;
    }

    /** Thread name (with its tid) -> CPU ticks so far, for every live thread. */
    Map<String, Long> threadTicks() {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.put(name + "#" + t.getFileName(), ticks(stat));
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return out;
    }

    /** The {@code n} threads that used most CPU between two {@link #threadTicks()} readings, as "name pct%". */
    static List<String> topThreads(Map<String, Long> before, Map<String, Long> after, double seconds, int n) {
        List<Map.Entry<String, Long>> deltas = new ArrayList<>();
        after.forEach((k, v) -> deltas.add(Map.entry(k, v - before.getOrDefault(k, 0L))));
        deltas.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : deltas.subList(0, Math.min(n, deltas.size()))) {
            String name = e.getKey().substring(0, e.getKey().lastIndexOf('#'));
            out.add(String.format(java.util.Locale.ROOT, "%s %.1f%%", name, 100.0 * e.getValue() / TICKS_PER_SECOND / seconds));
        }
        return out;
    }

    long rssKb() {
        return statusField("VmRSS");
    }

    long threads() {
        return statusField("Threads");
    }

    long fds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Used heap in KB after a full GC (jcmd GC.run, then GC.heap_info); -1 if jcmd failed or not a JVM. */
    long heapAfterGcKb() {
        if (!jvm) {
            return -1;
        }
        jcmd("GC.run");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private String jcmd(String command) {
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return -1;
    }

    private static long ticksOf(Path stat) {
        try {
            return ticks(Files.readString(stat));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** utime + stime: fields 14 and 15 of /proc/.../stat, counted after the ")" ending the name. */
    private static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            return Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
        } catch (IOException | NumberFormatException e) {
            return 100;
        }
    }
}
