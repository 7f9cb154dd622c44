package io.srproxy.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one load level (or of a whole soak), as printed, written to JSON and plotted. */
record LevelResult(
        int target, double holdSeconds, double meanCallsUp, long sippAttempted, long sippSucceeded, long sippFailed,
        int appCalls, int appConnected, int appWithMedia, double sippSetupP50Ms, double sippSetupP99Ms,
        double appSetupP50Ms, double appSetupP99Ms, long packetsSent, long packetsReceived, double roundTripMissPercent,
        double lossPercent,
        double jitterMeanMs, double jitterMaxMs, long longestGapMaxMs, long longestGapP50Ms,
        long windowGapMaxMs, long windowGapP50Ms, long harnessLateTickMaxMs,
        double srproxyCpuPercent, double cpuMicrosPerSecondPerCall, List<String> topThreads, long rssMb,
        long heapAfterGcMb, long threads, long fds, double harnessCpuPercent, double sippCpuPercent, long lateTicks,
        Map<String, Integer> endReasons, Map<String, Double> leftAfter, Map<String, Long> udpDropsInWindow,
        Map<String, Double> hostCpuPercentInWindow) {

    /** The same figures with what srproxy still held once the level's calls had ended (its /metrics gauges). */
    LevelResult withLeftAfter(Map<String, Double> left) {
        return new LevelResult(target, holdSeconds, meanCallsUp, sippAttempted, sippSucceeded, sippFailed, appCalls,
                appConnected, appWithMedia, sippSetupP50Ms, sippSetupP99Ms, appSetupP50Ms, appSetupP99Ms, packetsSent,
                packetsReceived, roundTripMissPercent, lossPercent, jitterMeanMs, jitterMaxMs, longestGapMaxMs,
                longestGapP50Ms, windowGapMaxMs, windowGapP50Ms, harnessLateTickMaxMs, srproxyCpuPercent, cpuMicrosPerSecondPerCall, topThreads, rssMb, heapAfterGcMb, threads,
                fds, harnessCpuPercent, sippCpuPercent, lateTicks, endReasons, Map.copyOf(left), udpDropsInWindow,
                hostCpuPercentInWindow);
    }

    /**
     * The same figures with what the host saw in the window: the datagrams the kernel dropped at
     * each process's UDP sockets (whose full receive buffer lost the packets) and host-wide, and the
     * host's CPU by kind (HostCpu), percent of all cores.
     */
    LevelResult withHostFigures(Map<String, Long> drops, Map<String, Double> cpu) {
        return new LevelResult(target, holdSeconds, meanCallsUp, sippAttempted, sippSucceeded, sippFailed, appCalls,
                appConnected, appWithMedia, sippSetupP50Ms, sippSetupP99Ms, appSetupP50Ms, appSetupP99Ms, packetsSent,
                packetsReceived, roundTripMissPercent, lossPercent, jitterMeanMs, jitterMaxMs, longestGapMaxMs,
                longestGapP50Ms, windowGapMaxMs, windowGapP50Ms, harnessLateTickMaxMs, srproxyCpuPercent, cpuMicrosPerSecondPerCall, topThreads, rssMb, heapAfterGcMb, threads,
                fds, harnessCpuPercent, sippCpuPercent, lateTicks, endReasons, leftAfter, new LinkedHashMap<>(drops),
                new LinkedHashMap<>(cpu));
    }

    static LevelResult of(int target, double holdSeconds, double meanCallsUp, long[] sipp, List<Double> sippSetups,
                          List<AppCall.Result> calls, io.srproxy.rtc.webrtc.LoadPeers.Window window, double srproxyCpuPercent, List<String> topThreads,
                          long rssKb, long heapKb, long threads, long fds, double harnessCpuPercent, double sippCpuPercent,
                          long lateTicks) {
        List<Double> appSetups = new ArrayList<>();
        List<Double> jitters = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        long sent = 0;
        long received = 0;
        long expected = 0;
        long lost = 0;
        int connected = 0;
        int withMedia = 0;
        for (AppCall.Result r : calls) {
            reasons.merge(r.endReason().length() > 60 ? r.endReason().substring(0, 60) : r.endReason(), 1, Integer::sum);
            if (!r.connected()) {
                continue;
            }
            connected++;
            appSetups.add(r.setupMs());
            sent += r.media().sent();
            if (r.media().received() > 0) {
                withMedia++;
                received += r.media().received();
                expected += r.media().expected();
                lost += r.media().lost();
                jitters.add(r.media().jitterMs());
                gaps.add(r.media().longestGapMs());
            }
        }
        List<Long> windowGaps = window == null ? null : window.gaps();
        double cpuPerCall = meanCallsUp > 0 ? srproxyCpuPercent / 100 * 1e6 / meanCallsUp : 0;
        return new LevelResult(target, holdSeconds, meanCallsUp, sipp[0], sipp[1], sipp[2], calls.size(), connected,
                withMedia, pct(sippSetups, 50), pct(sippSetups, 99), pct(appSetups, 50), pct(appSetups, 99), sent, received,
                sent > 0 ? Math.max(0, 100.0 * (sent - received) / sent) : 0, expected > 0 ? 100.0 * lost / expected : 0, jitters.stream().mapToDouble(d -> d).average().orElse(0),
                jitters.stream().mapToDouble(d -> d).max().orElse(0), gaps.stream().mapToLong(g -> g).max().orElse(0),
                (long) pct(gaps.stream().map(Long::doubleValue).toList(), 50),
                windowGaps == null ? -1 : windowGaps.stream().mapToLong(g -> g).max().orElse(0),
                windowGaps == null ? -1 : (long) pct(windowGaps.stream().map(Long::doubleValue).toList(), 50),
                window == null ? -1 : window.lateTickMaxMs(),
                srproxyCpuPercent, cpuPerCall, topThreads,
                rssKb / 1024, heapKb < 0 ? -1 : heapKb / 1024, threads, fds, harnessCpuPercent, sippCpuPercent, lateTicks,
                reasons, Map.of(), Map.of(), Map.of());
    }

    static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static String header() {
        return String.format(Locale.ROOT, "%6s %7s %9s %13s %13s %6s %7s %6s %6s %6s %6s %7s %9s %6s %6s %5s %5s %6s %6s",
                "target", "up", "sipp ok/", "setup sipp", "setup app", "rt", "loss", "jit", "jit", "gap", "gap", "cpu", "us/s", "rss",
                "heap", "thr", "fds", "harn", "sipp")
                + "\n" + String.format(Locale.ROOT, "%6s %7s %9s %13s %13s %6s %7s %6s %6s %6s %6s %7s %9s %6s %6s %5s %5s %6s %6s",
                "calls", "mean", "attempt", "p50/p99 ms", "p50/p99 ms", "miss%", "%", "avg", "max", "max", "win", "%core", "per call",
                "MB", "MB", "", "", "%cpu", "%cpu");
    }

    String row() {
        return String.format(Locale.ROOT, "%6d %7.1f %9s %13s %13s %6.2f %7.2f %6.1f %6.1f %6d %6d %7.1f %9.0f %6d %6d %5d %5d %6.1f %6.1f",
                target, meanCallsUp, sippSucceeded + "/" + sippAttempted,
                String.format(Locale.ROOT, "%.0f/%.0f", sippSetupP50Ms, sippSetupP99Ms),
                String.format(Locale.ROOT, "%.0f/%.0f", appSetupP50Ms, appSetupP99Ms), roundTripMissPercent, lossPercent, jitterMeanMs,
                jitterMaxMs, longestGapMaxMs, windowGapMaxMs, srproxyCpuPercent, cpuMicrosPerSecondPerCall, rssMb, heapAfterGcMb, threads,
                fds, harnessCpuPercent, sippCpuPercent);
    }

    String details() {
        return "  app: " + appCalls + " invitations, " + appConnected + " DTLS-SRTP up, " + appWithMedia
                + " with media back; packets sent " + packetsSent + ", received " + packetsReceived
                + "; late 20 ms ticks " + lateTicks + "; sipp failed " + sippFailed
                + "\n  longest gap per call, p50/max: " + longestGapP50Ms + "/" + longestGapMaxMs + " ms over the calls' whole"
                + " life (set-up and the harness's own work after the window included), "
                + (windowGapMaxMs < 0 ? "not measured in the window" : windowGapP50Ms + "/" + windowGapMaxMs + " ms in the measured window"
                        + " (the harness's own 20 ms clock ticked at worst " + harnessLateTickMaxMs + " ms late in it: every call sees that as a gap)")
                + "\n  server top threads: " + String.join(", ", topThreads)
                + "\n  call end reasons: " + endReasons
                + (hostCpuPercentInWindow.isEmpty() ? "" : "\n  the host's CPU in the window, % of all cores: " + hostCpuPercentInWindow)
                + (udpDropsInWindow.isEmpty() ? "" : "\n  UDP datagrams the kernel dropped in the window (full receive buffers): " + udpDropsInWindow)
                + (leftAfter.isEmpty() ? "" : "\n  left in srproxy after the calls ended: " + leftAfter);
    }
}
