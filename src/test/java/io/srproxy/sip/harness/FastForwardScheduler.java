package io.srproxy.sip.harness;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A scheduler that runs every delay {@code factor} times faster, so protocol timeouts of 30 s to
 * minutes (session timers, ACK wait) are exercised in seconds without changing the code under test.
 */
public final class FastForwardScheduler implements ScheduledExecutorService {

    private final ScheduledExecutorService real = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-fast-timer");
        t.setDaemon(true);
        return t;
    });
    private final long factor;

    public FastForwardScheduler(long factor) {
        this.factor = factor;
    }

    private long scaled(long delay, TimeUnit unit) {
        return Math.max(0, unit.toMicros(delay) / factor);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return real.schedule(command, scaled(delay, unit), TimeUnit.MICROSECONDS);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return real.schedule(callable, scaled(delay, unit), TimeUnit.MICROSECONDS);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return real.scheduleAtFixedRate(command, scaled(initialDelay, unit), Math.max(1, scaled(period, unit)), TimeUnit.MICROSECONDS);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return real.scheduleWithFixedDelay(command, scaled(initialDelay, unit), Math.max(1, scaled(delay, unit)), TimeUnit.MICROSECONDS);
    }

    @Override
    public void shutdown() {
        real.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return real.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return real.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return real.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return real.awaitTermination(timeout, unit);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return real.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return real.submit(task, result);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return real.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return real.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return real.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return real.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return real.invokeAny(tasks, timeout, unit);
    }

    @Override
    public void execute(Runnable command) {
        real.execute(command);
    }
}
