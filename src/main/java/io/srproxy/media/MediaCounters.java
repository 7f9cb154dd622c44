package io.srproxy.media;

import java.util.concurrent.atomic.LongAdder;

/**
 * RTP one kind of leg moved: in = received by srproxy, out = sent by it, bytes = whole packets as
 * on the wire, lost = packets skipped by the received sequence numbers, late = packets that came
 * after a newer one (so counted in lost before; net loss is lost - late, both counters only grow).
 * LongAdders: bumped on the I/O threads without locks or allocation, summed when scraped.
 */
public final class MediaCounters {

    public final LongAdder packetsIn = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder packetsOut = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    public final LongAdder lost = new LongAdder();
    public final LongAdder late = new LongAdder();
    /** Plain-RTP legs: packets from a source that is not the leg's peer, dropped unseen. */
    public final LongAdder strayDropped = new LongAdder();

    public void received(int bytes) {
        packetsIn.increment();
        bytesIn.add(bytes);
    }

    /** {@code change} from {@link io.srproxy.media.SequenceGaps#onPacket}. */
    public void sequenceChange(int change) {
        if (change > 0) {
            lost.add(change);
        } else if (change < 0) {
            late.increment();
        }
    }

    public void sent(int bytes) {
        packetsOut.increment();
        bytesOut.add(bytes);
    }
}
