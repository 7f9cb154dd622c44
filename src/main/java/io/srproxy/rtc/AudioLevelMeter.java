package io.srproxy.rtc;

import io.srproxy.media.rtp.RtpHeaderExtensions;

/**
 * What one member's microphone level has been, from the RFC 6464 audio level its packets carry.
 * Written by the one I/O thread reading the member's packets, without lock or allocation: one
 * volatile long counts the packets (high 32 bits) and sums their levels (low 32 bits), both
 * wrapping; a reader keeps its last reading and averages the difference ({@link AudioLevels}).
 */
public final class AudioLevelMeter {

    /** Levels below -60 dBov read as 0: quieter than that is the room, not a voice. */
    static final int FLOOR_DBOV = 60;

    private final MediaTransport transport;
    private volatile long counts;
    private volatile int lastLevel;

    AudioLevelMeter(MediaTransport transport) {
        this.transport = transport;
    }

    /** A packet from the member (any kind: only its audio carries the negotiated level element). */
    void onRtp(byte[] b, int off, int len) {
        int id = transport.receivedExtensions().audioLevelId();
        if (id <= 0) {
            return;
        }
        long found = RtpHeaderExtensions.find(b, off, len, id);
        if (found < 0 || RtpHeaderExtensions.length(found) < 1) {
            return;
        }
        int dBov = b[RtpHeaderExtensions.offset(found)] & 0x7F;
        int level = level(dBov);
        counts = counts + (1L << 32) + level; // one writer: read-add-write is safe
        lastLevel = level;
    }

    /**
     * RFC 6464's level (0..127, minus dBov: 0 is the loudest, 127 silence) on the 0..100 scale of
     * the anyRTC/Agora volume indicator, louder = higher: linear in decibels from -60 dBov (0) to
     * 0 dBov (100).
     */
    static int level(int dBov) {
        if (dBov >= FLOOR_DBOV) {
            return 0;
        }
        return (FLOOR_DBOV - dBov) * 100 / FLOOR_DBOV;
    }

    /** The level of the last packet that carried one (0 before any). */
    int lastLevel() {
        return lastLevel;
    }

    /** The packet count and level sum so far (see the class comment). */
    long counts() {
        return counts;
    }

    /** The average level between two readings, 0 when no level arrived between them. */
    static int average(long before, long now) {
        int packets = (int) ((now >>> 32) - (before >>> 32));
        int sum = (int) now - (int) before;
        return packets <= 0 ? 0 : Math.max(0, Math.min(100, sum / packets));
    }
}
