package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameRingTest {

    private static byte[] packet(int id, int len) {
        byte[] b = new byte[len];
        b[0] = (byte) id;
        return b;
    }

    @Test
    void packetsComeOutInOrderAndAWorkerBehindLosesTheOldest() {
        FrameRing ring = new FrameRing(4, 8, 64);
        List<Integer> got = new ArrayList<>();
        byte[] work = new byte[64];
        for (int i = 1; i <= 3; i++) {
            assertThat(ring.offer(packet(i, 5), 0, 5)).isTrue();
        }
        assertThat(ring.drain(work, (b, o, l) -> got.add((int) b[o]))).isZero();
        assertThat(got).containsExactly(1, 2, 3);
        got.clear();
        for (int i = 4; i <= 10; i++) { // 7 into 4 slots: 4, 5 and 6 are overwritten
            ring.offer(packet(i, 5), 0, 5);
        }
        assertThat(ring.drain(work, (b, o, l) -> got.add((int) b[o]))).isEqualTo(3);
        assertThat(got).containsExactly(7, 8, 9, 10);
        assertThat(ring.hasMore()).isFalse();
    }

    @Test
    void aLargerFrameGrowsItsSlotAndOneOverTheMaximumIsRefused() {
        FrameRing ring = new FrameRing(2, 8, 64);
        List<Integer> lengths = new ArrayList<>();
        assertThat(ring.offer(packet(1, 40), 0, 40)).isTrue();
        assertThat(ring.offer(packet(2, 65), 0, 65)).isFalse();
        ring.drain(new byte[64], (b, o, l) -> lengths.add(l));
        assertThat(lengths).containsExactly(40);
    }
}
