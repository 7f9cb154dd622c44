package io.srproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole host's CPU time by kind, from the first line of Linux's /proc/stat: between two readings
 * it says whether the cores were busy with processes, with the kernel's packet delivery (softirq), or
 * taken by the hypervisor (steal), which no process's own figures show.
 */
record HostCpu(long user, long nice, long system, long idle, long iowait, long irq, long softirq, long steal) {

    static HostCpu read() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return new HostCpu(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), f.length > 8 ? Long.parseLong(f[8]) : 0);
        } catch (IOException | RuntimeException e) {
            return new HostCpu(0, 0, 0, 0, 0, 0, 0, 0); // not Linux: nothing to tell
        }
    }

    /** Each kind's share of all the host's CPU time since {@code before}, in percent of all cores. */
    Map<String, Double> percentSince(HostCpu before) {
        long[] now = {user + nice, system + irq, softirq, steal, idle + iowait};
        long[] then = {before.user + before.nice, before.system + before.irq, before.softirq, before.steal,
                before.idle + before.iowait};
        String[] names = {"user", "system", "softirq", "steal", "idle"};
        long total = 0;
        for (int i = 0; i < now.length; i++) {
            total += now[i] - then[i];
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < now.length; i++) {
            out.put(names[i], total > 0 ? Math.round(1000.0 * (now[i] - then[i]) / total) / 10.0 : 0);
        }
        return out;
    }
}
