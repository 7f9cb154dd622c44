package io.srproxy.media;

/**
 * Loss of one receiver from RTP sequence numbers, for up to two streams at once (audio and
 * video): a jump forward by n is n - 1 lost, a packet older than the newest is one found again.
 * Two primitive slots, so nothing is allocated per packet; used from the receiving I/O thread.
 */
public final class SequenceGaps {

    /** A jump larger than this is a restarted stream, not loss. */
    private static final int MAX_GAP = 3000;

    private final long[] ssrc = {-1, -1};
    private final int[] newest = new int[2];
    private int replace;

    /** The change in lost packets this one makes: positive for a gap, -1 for a late one, else 0. */
    public int onPacket(long packetSsrc, int seq) {
        int i = packetSsrc == ssrc[0] ? 0 : packetSsrc == ssrc[1] ? 1 : -1;
        if (i < 0) {
            i = replace;
            replace ^= 1;
            ssrc[i] = packetSsrc;
            newest[i] = seq;
            return 0;
        }
        int delta = (seq - newest[i]) & 0xFFFF;
        if (delta == 0) {
            return 0;
        }
        if (delta < 0x8000) {
            newest[i] = seq;
            return delta <= MAX_GAP ? delta - 1 : 0;
        }
        return 0x10000 - delta <= MAX_GAP ? -1 : 0;
    }
}
