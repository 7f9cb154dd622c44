package io.srproxy.rtc.webrtc;

/** Replacement in the set-associative address caches ({@link SenderAddressCache}, {@link DestinationCache}). */
final class CacheSets {

    private CacheSets() {
    }

    /**
     * The entry a new key takes in set {@code set} of {@code ways} entries: the first free one
     * (null in {@code occupied}), else the set's entries in turn, counted in {@code victims}.
     */
    static int entryFor(Object[] occupied, byte[] victims, int set, int ways) {
        int base = set * ways;
        for (int i = base; i < base + ways; i++) {
            if (occupied[i] == null) {
                return i;
            }
        }
        return base + (victims[set]++ & (ways - 1));
    }
}
