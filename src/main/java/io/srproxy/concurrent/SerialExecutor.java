package io.srproxy.concurrent;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool. Many of these (one per call,
 * session or client) share a few threads, and the state each one guards needs no lock. A task
 * that throws an exception is logged and the next one runs. A task that throws an Error (an
 * OutOfMemoryError, a StackOverflowError ...) is logged too, the remaining tasks move to a fresh
 * pool task, and the Error is rethrown so the pool thread's uncaught-exception handler sees it.
 */
public final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Runnable drainTask = this::drain; // one instance: scheduling allocates nothing
    private boolean running;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        boolean start;
        synchronized (tasks) {
            tasks.add(task);
            start = !running;
            running = true;
        }
        if (start) {
            pool.execute(drainTask);
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                log.error("task failed on a serial executor", e);
            } catch (Error e) {
                log.error("task failed with an Error on a serial executor; the next tasks go on", e);
                continueOnAnotherTask();
                throw e;
            }
        }
    }

    /** The rest of the queue runs on a new pool task: this one ends with the Error. */
    private void continueOnAnotherTask() {
        synchronized (tasks) {
            if (tasks.isEmpty()) {
                running = false;
                return;
            }
        }
        try {
            pool.execute(drainTask);
        } catch (RejectedExecutionException shutDown) {
            synchronized (tasks) {
                running = false;
            }
        }
    }
}
