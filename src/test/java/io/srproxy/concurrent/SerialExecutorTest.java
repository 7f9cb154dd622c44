package io.srproxy.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void runsTasksOneAtATimeInOrderOnASharedPool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Integer> seen = new ArrayList<>(); // unsynchronized on purpose: serial access only
            AtomicInteger concurrent = new AtomicInteger();
            AtomicInteger maxConcurrent = new AtomicInteger();
            int n = 10_000;
            for (int i = 0; i < n; i++) {
                int value = i;
                serial.execute(() -> {
                    maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                    seen.add(value);
                    concurrent.decrementAndGet();
                });
            }
            AtomicInteger done = new AtomicInteger();
            serial.execute(done::incrementAndGet);
            await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 1);
            assertThat(maxConcurrent.get()).isEqualTo(1);
            assertThat(seen).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheNext() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            AtomicInteger after = new AtomicInteger();
            serial.execute(() -> { throw new IllegalStateException("boom"); });
            serial.execute(after::incrementAndGet);
            await().atMost(Duration.ofSeconds(5)).until(() -> after.get() == 1);
        } finally {
            pool.shutdownNow();
        }
    }

    /** An Error must reach the pool thread's uncaught handler (not vanish), and the next tasks still run. */
    @Test
    void anErrorIsRethrownToThePoolThreadAndTheNextTasksStillRun() {
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "serial-test");
            t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
            return t;
        });
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            AtomicInteger after = new AtomicInteger();
            serial.execute(() -> { throw new StackOverflowError("deliberate"); });
            serial.execute(after::incrementAndGet);
            serial.execute(after::incrementAndGet);
            await().atMost(Duration.ofSeconds(5)).until(() -> after.get() == 2 && !uncaught.isEmpty());
            assertThat(uncaught).singleElement().isInstanceOf(StackOverflowError.class);
            serial.execute(after::incrementAndGet); // and it keeps serving
            await().atMost(Duration.ofSeconds(5)).until(() -> after.get() == 3);
        } finally {
            pool.shutdownNow();
        }
    }
}
