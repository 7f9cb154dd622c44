package io.srproxy.media.rtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import io.srproxy.media.UnexpectedErrors;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread (of {@link RtpIoLoops}' one per core) that reads every registered UDP channel through a selector and hands each
 * datagram to its handler inline, in one receive buffer the loop owns: no allocation per packet
 * (the JDK caches the sender address while it does not change).
 */
public final class RtpIoLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtpIoLoop.class);
    private static final int MAX_DATAGRAM = 2048;
    private static final ThreadLocal<RtpIoLoop> CURRENT = new ThreadLocal<>();

    /** Called on the I/O thread; {@code buf} is only valid during the call. */
    @FunctionalInterface
    public interface DatagramHandler {
        void onDatagram(byte[] buf, int len, InetSocketAddress from);
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final byte[] receive = new byte[MAX_DATAGRAM];
    private final ByteBuffer receiveBuffer = ByteBuffer.wrap(receive);
    private final UnexpectedErrors handlerErrors = new UnexpectedErrors(log, "RTP packet handler");
    private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean running = true;
    private Runnable[] beforeSelect = new Runnable[0]; // the loop's thread only
    private final java.util.function.Consumer<SelectionKey> onReady = key -> {
        if (key.isValid() && key.isReadable()) {
            drain((DatagramChannel) key.channel(), (DatagramHandler) key.attachment());
        }
    };

    public RtpIoLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts reading {@code ch} (non-blocking); the returned key stops it when cancelled. */
    public void register(DatagramChannel ch, DatagramHandler handler) {
        pending.add(() -> {
            try {
                ch.register(selector, SelectionKey.OP_READ, handler);
            } catch (IOException e) {
                log.warn("cannot watch {}: {}", ch, e.toString());
            }
        });
        selector.wakeup();
    }

    /** Stops reading {@code ch}; the caller closes it. */
    public void unregister(DatagramChannel ch) {
        SelectionKey key = ch.keyFor(selector);
        if (key != null) {
            key.cancel();
        }
        selector.wakeup();
    }

    /** The loop whose thread is calling, or null on any other thread. */
    public static RtpIoLoop current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code task} on this loop's thread each time before it selects (so before it may
     * block): for what the handlers queued, such as sends batched into one system call. Call it on
     * the loop's thread ({@link #current()}).
     */
    public void beforeEachSelect(Runnable task) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("not on " + thread.getName());
        }
        Runnable[] more = java.util.Arrays.copyOf(beforeSelect, beforeSelect.length + 1);
        more[beforeSelect.length] = task;
        beforeSelect = more;
    }

    /** Sessions reading on this loop ({@link RtpIoLoops} puts a new one on the least loaded). */
    public int sessions() {
        return sessions.get();
    }

    void sessionOpened() {
        sessions.incrementAndGet();
    }

    void sessionClosed() {
        sessions.decrementAndGet();
    }

    /** Exceptions the packet handlers threw (bugs, each dropped its packet). */
    public long unexpectedErrors() {
        return handlerErrors.count();
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        CURRENT.set(this);
        while (running) {
            try {
                Runnable r;
                while ((r = pending.poll()) != null) {
                    r.run();
                }
                for (Runnable task : beforeSelect) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        handlerErrors.record(e);
                    }
                }
                selector.select(onReady); // the action form allocates no iterator per wake-up
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("RTP I/O loop error (continuing): {}", e.toString());
            }
        }
    }

    /**
     * Reads one datagram: a call's socket gets one every 20 ms, so reading on until the socket is
     * empty cost a second system call (EAGAIN) per packet. The selector is level-triggered, so
     * a socket with more queued is ready again at the next select.
     */
    private void drain(DatagramChannel ch, DatagramHandler handler) {
        InetSocketAddress from;
        try {
            receiveBuffer.clear();
            from = (InetSocketAddress) ch.receive(receiveBuffer);
        } catch (IOException e) {
            return; // closed meanwhile, or an ICMP error: nothing to read
        }
        if (from == null) {
            return;
        }
        try {
            handler.onDatagram(receive, receiveBuffer.position(), from);
        } catch (RuntimeException e) {
            handlerErrors.record(e); // malformed packets are dropped by the handlers; this is a bug
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
