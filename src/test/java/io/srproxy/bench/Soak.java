package io.srproxy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Soak mode (issue 10): N calls held for the whole duration with calls coming and going; every
 * sample period srproxy's heap after GC, RSS, threads, descriptors and CPU are recorded, so a
 * leak shows as a slope. Writes soak-*.json and soak-*.svg.
 */
final class Soak {

    /** One sample. */
    record Sample(double minutes, int callsUp, long heapAfterGcMb, long rssMb, long threads, long fds, double cpuPercent,
                  int callsEnded) {}

    private final CallLoadHarness h;
    private final Path dir;

    Soak(CallLoadHarness h, Path dir) {
        this.h = h;
        this.dir = dir;
    }

    /** What sipp said of its failed calls, and the calls srproxy still holds after the phones stopped. */
    private void reportLeftovers(SippCallers sipp, long failed) throws Exception {
        if (failed > 0) {
            System.out.println("sipp's failed calls (its error log, overload warnings left out):");
            sipp.errors().lines().map(l -> l.replace('\r', ' '))
                    .filter(l -> !l.isBlank() && !l.contains("Overload warning") && !l.startsWith("The following events"))
                    .limit(40).forEach(l -> System.out.println("  " + l));
        }
        if (h.srproxyWebPort() < 0) {
            return; // another server: no /api to ask
        }
        List<ActiveCalls.Call> stuck = ActiveCalls.olderThan(h.srproxyWebPort(),
                java.time.Duration.ofMillis(h.callMillis() + 10_000));
        System.out.printf("srproxy calls active longer than a call's hold + 10 s after the phones stopped: %d%n", stuck.size());
        stuck.stream().limit(20).forEach(c -> System.out.println("  " + c));
    }

    LevelResult run(int calls, double minutes, int sampleSeconds) throws Exception {
        System.out.printf("%nsoak: %d calls for %.1f min, calls held %d s, sampled every %d s%n", calls, minutes,
                h.callMillis() / 1000, sampleSeconds);
        System.out.println("   min  calls  heap MB  rss MB  threads  fds  cpu %  calls ended");
        List<Sample> samples = new ArrayList<>();
        List<AppCall.Result> ended = new ArrayList<>();
        h.fleet().drainResults();
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        LevelResult summary;
        try (SippCallers sipp = h.track(SippCallers.start(dir.resolve("soak"), h.kamailio().port(), h.calleePrefix(), h.uids(), calls,
                h.rate(), h.callMillis(), 1_000_000, (calls + CallLoadHarness.SIPP_CALLS_EACH - 1) / CallLoadHarness.SIPP_CALLS_EACH))) {
            ProcessProbe sippProbe = ProcessProbe.sum(sipp.pids());
            CallLoadHarness.Window all = CallLoadHarness.Window.open(h.probe(), h.self(), sippProbe);
            long lateBefore = h.peers().lateTicks();
            double upSum = 0;
            int upSamples = 0;
            long next = start + sampleSeconds * 1_000_000_000L;
            long cpu0 = h.probe().cpuTicks();
            long t0 = System.nanoTime();
            while (System.nanoTime() < end && sipp.isAlive()) {
                Thread.sleep(1000);
                upSum += h.fleet().connected();
                upSamples++;
                if (System.nanoTime() >= next || System.nanoTime() >= end) {
                    next += sampleSeconds * 1_000_000_000L;
                    long cpu1 = h.probe().cpuTicks();
                    long t1 = System.nanoTime();
                    double cpu = 100.0 * (cpu1 - cpu0) / ProcessProbe.TICKS_PER_SECOND / ((t1 - t0) / 1e9);
                    cpu0 = cpu1;
                    t0 = t1;
                    ended.addAll(h.fleet().drainResults());
                    Sample s = new Sample((t1 - start) / 60e9, h.fleet().connected(), h.probe().heapAfterGcKb() / 1024,
                            h.probe().rssKb() / 1024, h.probe().threads(), h.probe().fds(), cpu, ended.size());
                    samples.add(s);
                    System.out.printf(Locale.ROOT, "%6.1f %6d %8d %7d %8d %4d %6.1f %12d%n", s.minutes(), s.callsUp(),
                            s.heapAfterGcMb(), s.rssMb(), s.threads(), s.fds(), s.cpuPercent(), s.callsEnded());
                }
            }
            CallLoadHarness.Window.Close c = all.close();
            long rss = h.probe().rssKb();
            long threads = h.probe().threads();
            long fds = h.probe().fds();
            long heap = h.probe().heapAfterGcKb();
            sipp.softStop();
            sipp.awaitExit(h.callMillis() / 1000 + 40);
            long drain = System.nanoTime() + 15_000_000_000L;
            while (h.fleet().live() > 0 && System.nanoTime() < drain) {
                Thread.sleep(200);
            }
            Thread.sleep(500);
            ended.addAll(h.fleet().drainResults());
            long[] sippCounts = {sipp.stat("TotalCallCreated"), sipp.stat("SuccessfulCall(C)"), sipp.stat("FailedCall(C)")};
            reportLeftovers(sipp, sippCounts[2]);
            summary = LevelResult.of(calls, c.seconds(), upSamples > 0 ? upSum / upSamples : 0, sippCounts,
                    sipp.setupTimesMs(), ended, null, c.cpuPercent(0), c.top(5), rss, heap, threads, fds, c.cpuPercent(1),
                    c.cpuPercent(2), h.peers().lateTicks() - lateBefore);
        }
        // after the calls: what srproxy keeps when idle again (a leak stays)
        Sample after = new Sample((System.nanoTime() - start) / 60e9, h.fleet().connected(), h.probe().heapAfterGcKb() / 1024,
                h.probe().rssKb() / 1024, h.probe().threads(), h.probe().fds(), 0, ended.size());
        System.out.printf(Locale.ROOT, "after the calls ended: heap after GC %d MB, rss %d MB, %d threads, %d fds, app calls up %d%n",
                after.heapAfterGcMb(), after.rssMb(), after.threads(), after.fds(), after.callsUp());
        // a SIP leg whose far end vanished ends by [media] rtp_timeout (30 s) once sipp's echo stops:
        // what is still there after that is held by nothing on the wire
        Thread.sleep(35_000);
        Sample later = new Sample((System.nanoTime() - start) / 60e9, h.fleet().connected(), h.probe().heapAfterGcKb() / 1024,
                h.probe().rssKb() / 1024, h.probe().threads(), h.probe().fds(), 0, ended.size());
        System.out.printf(Locale.ROOT, "35 s later (past rtp_timeout): heap after GC %d MB, rss %d MB, %d threads, %d fds,"
                + " app calls up %d, srproxy calls active %d%n", later.heapAfterGcMb(), later.rssMb(), later.threads(),
                later.fds(), later.callsUp(),
                h.srproxyWebPort() < 0 ? -1 : ActiveCalls.olderThan(h.srproxyWebPort(), java.time.Duration.ZERO).size());
        System.out.println();
        System.out.println("soak summary (whole run):");
        System.out.println(LevelResult.header());
        System.out.println(summary.row());
        System.out.println(summary.details());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", h.stamp());
        json.put("options", h.opts());
        json.put("samples", samples);
        json.put("afterCallsEnded", after);
        json.put("afterRtpTimeout", later);
        json.put("summary", summary);
        Path jsonFile = h.out().resolve("soak-" + h.stamp() + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), json);
        double[] xs = samples.stream().mapToDouble(Sample::minutes).toArray();
        Path svg = h.out().resolve("soak-" + h.stamp() + ".svg");
        Files.writeString(svg, SvgPlot.render(h.target() + " soak: " + calls + " calls", "minutes", xs, "MB", "threads, fds",
                List.of(new SvgPlot.Series("heap after GC MB", "#1f77b4", false,
                                samples.stream().mapToDouble(Sample::heapAfterGcMb).toArray()),
                        new SvgPlot.Series("RSS MB", "#ff7f0e", false, samples.stream().mapToDouble(Sample::rssMb).toArray()),
                        new SvgPlot.Series("threads", "#2ca02c", true, samples.stream().mapToDouble(Sample::threads).toArray()),
                        new SvgPlot.Series("fds", "#9467bd", true, samples.stream().mapToDouble(Sample::fds).toArray()))));
        System.out.println("wrote " + jsonFile + " and " + svg);
        return summary;
    }
}
