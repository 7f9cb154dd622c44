package io.srproxy.rtc;

import io.srproxy.concurrent.SerialExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where transcoding runs: off the I/O threads, on a small pool shared by every call (one thread per
 * core, {@code [media] io_threads}), each call on its own serial executor, so a call's transcoders
 * need no lock and a slow encode never holds up another call's packets. Also the libopus encoder
 * settings ({@code [media] opus_complexity}, {@code opus_bitrate}) and the frames dropped because a
 * call's worker fell behind.
 */
public final class TranscodeWorkers implements AutoCloseable {

    /** libopus's own choice of bitrate. */
    public static final int AUTO_BITRATE = 0;

    private final ExecutorService pool;
    private final Executor direct;
    private final int opusComplexity;
    private final int opusBitrate;
    private final LongAdder dropped = new LongAdder();
    private final io.srproxy.rtc.mixer.MixerClock mixerClock = new io.srproxy.rtc.mixer.MixerClock();

    private TranscodeWorkers(ExecutorService pool, Executor direct, int opusComplexity, int opusBitrate) {
        if (opusComplexity < 0 || opusComplexity > 10) {
            throw new IllegalArgumentException("opus complexity must be 0..10, not " + opusComplexity);
        }
        this.pool = pool;
        this.direct = direct;
        this.opusComplexity = opusComplexity;
        this.opusBitrate = opusBitrate;
    }

    /** {@code threads} workers (0 = one per available processor). */
    public static TranscodeWorkers start(int threads, int opusComplexity, int opusBitrate) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        AtomicInteger seq = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "media-worker-" + seq.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        return new TranscodeWorkers(pool, pool, opusComplexity, opusBitrate);
    }

    /** Transcoding on the thread that received the packet (unit tests only: no thread of its own). */
    public static TranscodeWorkers inline() {
        return new TranscodeWorkers(null, Runnable::run, 5, AUTO_BITRATE);
    }

    /** A new call's serial executor on the shared workers. */
    Executor newCall() {
        return new SerialExecutor(direct);
    }

    int opusComplexity() {
        return opusComplexity;
    }

    int opusBitrate() {
        return opusBitrate;
    }

    /** The 20 ms beat of the conference mixers that run on these workers. */
    public io.srproxy.rtc.mixer.MixerClock mixerClock() {
        return mixerClock;
    }

    void dropped(int frames) {
        dropped.add(frames);
    }

    /** Audio frames dropped (oldest first) because a call's worker was behind, since start. */
    public long droppedFrames() {
        return dropped.sum();
    }

    @Override
    public void close() {
        mixerClock.close();
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
