package io.srproxy.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.srproxy.web.WebModule;

/**
 * The process's meter registry, scraped in Prometheus format at {@code /metrics}. Components
 * register their own meters on {@link #registry()}, named {@code srproxy.<component>.<what>}.
 */
public final class Metrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final MetricsHistory history = new MetricsHistory(registry, MetricsHistory.DEFAULT_SECONDS,
            MetricsHistory.DEFAULT_SAMPLES);

    public Metrics() {
        this(java.util.Map.of());
    }

    /**
     * With {@code commonTags} on every series (set before any meter is made, so the JVM's carry
     * them too): with {@code [cluster]}, {@code node=<node_id>}, so one Prometheus can tell nodes apart.
     */
    public Metrics(java.util.Map<String, String> commonTags) {
        commonTags.forEach((k, v) -> registry.config().commonTags(k, v));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    /** The last 15 minutes of calls, media packets, loss and CPU, sampled once {@link #startHistory()} ran. */
    public MetricsHistory history() {
        return history;
    }

    /** Starts sampling the history (srproxy does, once its meters are registered; tests need not). */
    public void startHistory() {
        history.start();
    }

    /** {@code /metrics} (Prometheus) and {@code /api/history} (the admin page's charts). */
    public WebModule webModule() {
        return routes -> {
            routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(scrape()));
            routes.get("/api/history", ctx -> ctx.json(history.snapshot()));
        };
    }

    @Override
    public void close() {
        history.close();
        gc.close();
        registry.close();
    }
}
