package io.srproxy.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceGapsTest {

    private final SequenceGaps gaps = new SequenceGaps();
    private final MediaCounters counters = new MediaCounters();

    private void receive(long ssrc, int... seqs) {
        for (int seq : seqs) {
            counters.sequenceChange(gaps.onPacket(ssrc, seq));
        }
    }

    @Test
    void gapsAreLostLatePacketsAreCountedApartAndDuplicatesAreNothing() {
        receive(1, 10, 11, 14, 12, 15, 15);
        assertThat(counters.lost.sum()).isEqualTo(2);
        assertThat(counters.late.sum()).isEqualTo(1);
    }

    @Test
    void sequenceWrapIsNoLossAndTwoStreamsAreTrackedApart() {
        receive(7, 65534, 65535);
        receive(8, 100, 102);
        receive(7, 0, 1);
        receive(8, 103);
        assertThat(counters.lost.sum()).isEqualTo(1);
        assertThat(counters.late.sum()).isZero();
    }

    @Test
    void aRestartedOrNewStreamIsNoLoss() {
        receive(1, 10, 20_000);
        receive(2, 5);
        receive(3, 9);
        receive(1, 20_001);
        assertThat(counters.lost.sum()).isZero();
    }
}
