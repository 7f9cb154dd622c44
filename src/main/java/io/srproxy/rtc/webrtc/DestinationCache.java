package io.srproxy.rtc.webrtc;

import java.net.InetSocketAddress;

/**
 * One sending thread's encoded destinations (sockaddr bytes), keyed by the address object's
 * identity: a transport keeps one object for its peer, so a known peer costs no encoding and no
 * allocation. Eight-way set associative with the bytes in one array allocated up front, so even a
 * miss allocates nothing here: a thread forwarding to a thousand browsers keeps them all, where a
 * direct-mapped table of 256 made a new array for most packets.
 */
final class DestinationCache {

    private static final int WAYS = 8;

    private final int setMask;
    private final int stride;
    private final InetSocketAddress[] keys;
    private final byte[] encoded;
    private final int[] lengths;
    private final byte[] victims;

    /** {@code entries}: a power of two, at least {@link #WAYS}; {@code stride}: the bytes of one sockaddr. */
    DestinationCache(int entries, int stride) {
        if (entries < WAYS || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two >= " + WAYS + ": " + entries);
        }
        this.setMask = entries / WAYS - 1;
        this.stride = stride;
        keys = new InetSocketAddress[entries];
        encoded = new byte[entries * stride];
        lengths = new int[entries];
        victims = new byte[entries / WAYS];
    }

    private int set(InetSocketAddress to) {
        int h = System.identityHashCode(to) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & setMask;
    }

    /** The entry holding {@code to}, or -1. */
    int find(InetSocketAddress to) {
        int base = set(to) * WAYS;
        for (int i = base; i < base + WAYS; i++) {
            if (keys[i] == to) {
                return i;
            }
        }
        return -1;
    }

    /** An entry for {@code to} (not cached yet), whose bytes the caller fills and whose length it sets. */
    int claim(InetSocketAddress to) {
        int at = CacheSets.entryFor(keys, victims, set(to), WAYS);
        keys[at] = to;
        return at;
    }

    /** The array holding every entry's bytes: entry {@code i} starts at {@link #offset}(i). */
    byte[] bytes() {
        return encoded;
    }

    int offset(int entry) {
        return entry * stride;
    }

    int length(int entry) {
        return lengths[entry];
    }

    void setLength(int entry, int length) {
        lengths[entry] = length;
    }
}
