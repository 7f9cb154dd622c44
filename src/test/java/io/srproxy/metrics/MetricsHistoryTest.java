package io.srproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The admin page's history: rates between samples, a bounded ring, oldest first. */
class MetricsHistoryTest {

    @Test
    void samplesRatesIntoABoundedRingOldestFirst() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong calls = new AtomicLong();
        AtomicLong packetsIn = new AtomicLong();
        AtomicLong packetsOut = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        AtomicLong cpu = new AtomicLong();
        Gauge.builder("srproxy.calls.active", calls, AtomicLong::get).tag("direction", "app_to_sip").register(registry);
        FunctionCounter.builder("srproxy.media.packets", packetsIn, AtomicLong::get).tags("leg", "sip", "direction", "in").register(registry);
        FunctionCounter.builder("srproxy.media.packets", packetsOut, AtomicLong::get).tags("leg", "sip", "direction", "out").register(registry);
        FunctionCounter.builder("srproxy.media.packets.lost", lost, AtomicLong::get).tag("leg", "sip").register(registry);
        MetricsHistory h = new MetricsHistory(registry, 5, 3, cpu::get);

        h.sample(0); // primes the rates: no sample yet
        assertThat(samples(h)).isEmpty();
        for (int i = 1; i <= 5; i++) {
            calls.set(i);
            packetsIn.addAndGet(500);   // 100/s in
            packetsOut.addAndGet(250);  // 50/s out
            lost.addAndGet(5);          // 1/s
            cpu.addAndGet(2_500_000_000L); // 2.5 s of CPU in 5 s: 50 % of a core
            h.sample(i * 5000L);
        }
        List<Map<String, Object>> s = samples(h);
        assertThat(s).hasSize(3); // the ring keeps the last three
        assertThat(s).extracting(m -> m.get("t")).containsExactly(15000L, 20000L, 25000L);
        assertThat(s).extracting(m -> m.get("calls")).containsExactly(3.0, 4.0, 5.0);
        assertThat(s.get(2)).containsEntry("packetsPerSecond", 150.0).containsEntry("lostPerSecond", 1.0)
                .containsEntry("cpuPercent", 50.0);
        assertThat(h.snapshot()).containsEntry("intervalSeconds", 5).containsEntry("capacity", 3);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> samples(MetricsHistory h) {
        return (List<Map<String, Object>>) h.snapshot().get("samples");
    }
}
