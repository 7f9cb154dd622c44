package io.srproxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The last minutes of a few meters, for the admin page's charts ({@code /api/history}): every
 * {@code intervalSeconds} one sample of active calls, RTC channels, media packets per second,
 * packets lost per second and process CPU (% of one core), kept in a fixed ring of primitive
 * arrays (15 minutes at 5 s: 180 samples, a few kB), so its memory is bounded whatever runs.
 * One daemon thread samples; readers copy under the ring's lock.
 */
public final class MetricsHistory implements AutoCloseable {

    /** 15 minutes at one sample per 5 s. */
    public static final int DEFAULT_SECONDS = 5;
    public static final int DEFAULT_SAMPLES = 180;

    private final MeterRegistry registry;
    private final int intervalSeconds;
    private final LongSupplier cpuNanos;
    private final long[] times;
    private final double[] calls;
    private final double[] channels;
    private final double[] packetsPerSecond;
    private final double[] lostPerSecond;
    private final double[] cpuPercent;
    private int next;
    private int size;
    private long lastAtMillis = -1;
    private double lastPackets;
    private double lastLost;
    private long lastCpu;
    private ScheduledExecutorService sampler;

    public MetricsHistory(MeterRegistry registry, int intervalSeconds, int samples) {
        this(registry, intervalSeconds, samples, MetricsHistory::processCpuNanos);
    }

    MetricsHistory(MeterRegistry registry, int intervalSeconds, int samples, LongSupplier cpuNanos) {
        if (intervalSeconds < 1 || samples < 2) {
            throw new IllegalArgumentException("history needs an interval of 1 s or more and 2 samples or more");
        }
        this.registry = registry;
        this.intervalSeconds = intervalSeconds;
        this.cpuNanos = cpuNanos;
        times = new long[samples];
        calls = new double[samples];
        channels = new double[samples];
        packetsPerSecond = new double[samples];
        lostPerSecond = new double[samples];
        cpuPercent = new double[samples];
    }

    /** Samples every interval on a daemon thread until closed. */
    public synchronized MetricsHistory start() {
        if (sampler == null) {
            sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "metrics-history");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(() -> {
                try {
                    sample(System.currentTimeMillis());
                } catch (RuntimeException e) {
                    // a meter that fails to read must not stop the sampling
                }
            }, 0, intervalSeconds, TimeUnit.SECONDS);
        }
        return this;
    }

    /** Takes one sample at {@code nowMillis}; rates are over the time since the previous one (the first only primes them). */
    synchronized void sample(long nowMillis) {
        double packets = counters("srproxy.media.packets");
        double lost = counters("srproxy.media.packets.lost");
        long cpu = cpuNanos.getAsLong();
        if (lastAtMillis >= 0 && nowMillis > lastAtMillis) {
            double seconds = (nowMillis - lastAtMillis) / 1000.0;
            times[next] = nowMillis;
            calls[next] = gauges("srproxy.calls.active");
            channels[next] = gauges("srproxy.rtc.channels");
            packetsPerSecond[next] = Math.max(0, packets - lastPackets) / seconds;
            lostPerSecond[next] = Math.max(0, lost - lastLost) / seconds;
            cpuPercent[next] = cpu < 0 ? -1 : Math.max(0, cpu - lastCpu) / 1e7 / seconds;
            next = (next + 1) % times.length;
            size = Math.min(size + 1, times.length);
        }
        lastAtMillis = nowMillis;
        lastPackets = packets;
        lastLost = lost;
        lastCpu = cpu;
    }

    /** {@code intervalSeconds} and the samples, oldest first: t (epoch ms), calls, channels, packetsPerSecond, lostPerSecond, cpuPercent. */
    public synchronized Map<String, Object> snapshot() {
        List<Map<String, Object>> out = new ArrayList<>(size);
        int first = (next - size + times.length) % times.length;
        for (int k = 0; k < size; k++) {
            int i = (first + k) % times.length;
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("t", times[i]);
            s.put("calls", calls[i]);
            s.put("channels", channels[i]);
            s.put("packetsPerSecond", round(packetsPerSecond[i]));
            s.put("lostPerSecond", round(lostPerSecond[i]));
            s.put("cpuPercent", round(cpuPercent[i]));
            out.add(s);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intervalSeconds", intervalSeconds);
        m.put("capacity", times.length);
        m.put("samples", out);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private double gauges(String name) {
        double sum = 0;
        for (Gauge g : registry.find(name).gauges()) {
            double v = g.value();
            if (!Double.isNaN(v)) {
                sum += v;
            }
        }
        return sum;
    }

    private double counters(String name) {
        double sum = 0;
        for (FunctionCounter c : registry.find(name).functionCounters()) {
            double v = c.count();
            if (!Double.isNaN(v)) {
                sum += v;
            }
        }
        for (io.micrometer.core.instrument.Counter c : registry.find(name).counters()) {
            sum += c.count();
        }
        return sum;
    }

    /** The JVM's CPU time so far in ns, or -1 where the JDK does not say. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }
}
