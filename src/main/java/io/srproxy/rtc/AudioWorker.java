package io.srproxy.rtc;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Moves one route's audio from the I/O thread that received it to its call's worker (a serial
 * executor on {@link TranscodeWorkers}' pool): the I/O thread only copies the packet into a
 * bounded ring and, when the worker is idle, schedules it. Everything after runs on the worker,
 * serially with the call's other route, so the transcoders and the receiver's audio stream have
 * one thread at a time and no lock.
 */
final class AudioWorker {

    /**
     * 32 x 20 ms: room for a sender's catch-up burst (a browser or phone that was descheduled sends
     * what it owes at once); a worker further behind than that loses the oldest frames.
     */
    static final int QUEUE_FRAMES = 32;
    /** G.711 (172 bytes) and voice Opus fit; a larger frame grows its slot once. */
    private static final int SLOT_BYTES = 256;
    private static final int MAX_BYTES = 1500;

    private final FrameRing ring = new FrameRing(QUEUE_FRAMES, SLOT_BYTES, MAX_BYTES);
    private final byte[] work = new byte[MAX_BYTES + MediaTransport.TRAILER_ROOM];
    private final Executor call;
    private final TranscodeWorkers workers;
    private final FrameRing.Sink sink;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private volatile boolean closed;
    private boolean released; // worker thread only

    /** {@code sink} runs on the call's worker for each packet, in order. */
    AudioWorker(Executor call, TranscodeWorkers workers, FrameRing.Sink sink) {
        this.call = call;
        this.workers = workers;
        this.sink = sink;
    }

    /** On the I/O thread: queue the packet (a copy) for the worker. */
    void offer(byte[] b, int off, int len) {
        if (closed) {
            return;
        }
        if (!ring.offer(b, off, len)) {
            workers.dropped(1); // larger than any audio frame
            return;
        }
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            call.execute(drainTask);
        }
    }

    private void drain() {
        scheduled.set(false); // a packet queued from now on schedules another drain
        if (released) {
            return;
        }
        int missed = ring.drain(work, sink);
        if (missed > 0) {
            workers.dropped(missed);
        }
    }

    /** Stops taking packets; {@code release} runs on the worker after the packets already queued. */
    void close(Runnable release) {
        closed = true;
        call.execute(() -> {
            if (!released) {
                released = true;
                release.run();
            }
        });
    }
}
