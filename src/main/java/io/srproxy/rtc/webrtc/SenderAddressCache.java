package io.srproxy.rtc.webrtc;

import java.net.InetSocketAddress;

/**
 * The address objects of a socket's senders, keyed by their raw address and port, so a known sender
 * costs no allocation. Eight-way set associative, a full set replacing its entries in turn: a port
 * shared by a thousand browsers keeps them all (a direct-mapped table of 1 024 entries had pairs of
 * them evicting each other, an allocation per datagram), and a stranger sending from many ports only
 * churns the sets it lands in.
 */
final class SenderAddressCache {

    private static final int WAYS = 8;

    private final int setMask;
    private final long[] his;
    private final long[] los;
    private final long[] tags;
    private final InetSocketAddress[] values;
    private final byte[] victims;

    /** {@code entries}: a power of two, at least {@link #WAYS}. */
    SenderAddressCache(int entries) {
        if (entries < WAYS || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two >= " + WAYS + ": " + entries);
        }
        setMask = entries / WAYS - 1;
        his = new long[entries];
        los = new long[entries];
        tags = new long[entries];
        values = new InetSocketAddress[entries];
        victims = new byte[entries / WAYS];
    }

    private int set(long hi, long lo, long tag) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL) ^ (tag * 0x165667B19E3779F9L);
        return (int) (h ^ (h >>> 29)) & setMask;
    }

    /** The sender's address, or null when not cached. */
    InetSocketAddress get(long hi, long lo, long tag) {
        int base = set(hi, lo, tag) * WAYS;
        for (int i = base; i < base + WAYS; i++) {
            if (values[i] != null && his[i] == hi && los[i] == lo && tags[i] == tag) {
                return values[i];
            }
        }
        return null;
    }

    /** Caches a sender not cached yet: in a free entry of its set, else in place of the set's next in turn. */
    void put(long hi, long lo, long tag, InetSocketAddress value) {
        int at = CacheSets.entryFor(values, victims, set(hi, lo, tag), WAYS);
        his[at] = hi;
        los[at] = lo;
        tags[at] = tag;
        values[at] = value;
    }
}
