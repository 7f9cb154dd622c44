package io.srproxy.rtc;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded queue of packets from one producer (the I/O thread of a route's source) to one
 * consumer (the call's worker), in reused slots (each grows once to the largest packet it has held,
 * up to a maximum): no allocation and no lock per packet. When
 * the consumer is behind, the producer overwrites the oldest slot, and the consumer counts the
 * frames it missed (a seqlock per slot tells it a slot was overwritten while it copied it).
 */
public final class FrameRing {

    private final int mask;
    private final int maxBytes;
    private final byte[][] slots;
    private final int[] lengths;
    /** Per slot: the position whose packet it holds, or -1 while the producer writes it. */
    private final AtomicLongArray written;
    private volatile long tail;
    private long head; // consumer only

    /** {@code capacity} (a power of two) slots of {@code slotBytes} each, growing up to {@code maxBytes}. */
    public FrameRing(int capacity, int slotBytes, int maxBytes) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        mask = capacity - 1;
        this.maxBytes = maxBytes;
        slots = new byte[capacity][slotBytes];
        lengths = new int[capacity];
        written = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            written.set(i, -1);
        }
    }

    /** Producer: queues a copy of the packet, over the oldest one when full; false when too long. */
    public boolean offer(byte[] b, int off, int len) {
        if (len > maxBytes) {
            return false;
        }
        long t = tail;
        int i = (int) (t & mask);
        written.set(i, -1);
        VarHandle.storeStoreFence(); // the mark is visible before any byte of the new packet
        if (slots[i].length < len) {
            slots[i] = new byte[maxBytes]; // once per slot, for an unusually large frame
        }
        System.arraycopy(b, off, slots[i], 0, len);
        lengths[i] = len;
        written.set(i, t);
        tail = t + 1;
        return true;
    }

    /** Hands each queued packet, oldest first, to {@code sink}; returns the frames missed. */
    public int drain(byte[] work, Sink sink) {
        int missed = 0;
        long t = tail;
        if (t - head > slots.length) {
            missed += (int) (t - head - slots.length);
            head = t - slots.length;
        }
        while (head < t) {
            long h = head++;
            int i = (int) (h & mask);
            if (written.get(i) != h) {
                missed++; // overwritten (or being overwritten) by a newer packet
                continue;
            }
            int len = lengths[i];
            byte[] slot = slots[i];
            System.arraycopy(slot, 0, work, 0, Math.min(len, Math.min(slot.length, work.length)));
            VarHandle.loadLoadFence();
            if (written.get(i) != h) {
                missed++;
                continue;
            }
            sink.onPacket(work, 0, len);
        }
        return missed;
    }

    /** True when the producer has queued something the consumer has not seen (consumer only). */
    boolean hasMore() {
        return head < tail;
    }

    @FunctionalInterface
    public interface Sink {
        void onPacket(byte[] b, int off, int len);
    }
}
