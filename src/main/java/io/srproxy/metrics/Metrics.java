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

    public WebModule webModule() {
        return routes -> routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(scrape()));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
