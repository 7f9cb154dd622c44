package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallLogTest {

    private final Instant t0 = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void aCallMovesFromActiveToRecentOnceAndIsCounted() {
        CallLog log = new CallLog();
        CallRecord r = CallRecord.started("c1", CallRecord.Direction.APP_TO_SIP, "4321", "1005", "123456789", t0);
        log.started(r);
        r = r.answered(t0.plusSeconds(2)).withCodecs("opus", "PCMU");
        log.updated(r);
        assertThat(log.active()).containsExactly(r);
        CallRecord ended = r.ended(t0.plusSeconds(60), "app hung up");
        log.ended(ended);
        log.ended(ended); // a second end is ignored
        assertThat(log.active()).isEmpty();
        assertThat(log.recent()).containsExactly(ended);
        CallLog.Stats s = log.stats();
        assertThat(s.total()).isEqualTo(1);
        assertThat(s.answered()).isEqualTo(1);
        assertThat(s.failed()).isZero();
        assertThat(s.byDirection().get(CallRecord.Direction.APP_TO_SIP)).isEqualTo(1);
    }

    @Test
    void unansweredCallsCountAsFailedAndRecentIsBounded() {
        CallLog log = new CallLog();
        for (int i = 0; i < CallLog.RECENT_KEPT + 5; i++) {
            CallRecord r = CallRecord.started("c" + i, CallRecord.Direction.SIP_TO_APP, "u", "1005", "1", t0);
            log.started(r);
            log.ended(r.ended(t0, "refused"));
        }
        assertThat(log.recent()).hasSize(CallLog.RECENT_KEPT);
        assertThat(log.recent().get(0).id()).isEqualTo("c" + (CallLog.RECENT_KEPT + 4));
        assertThat(log.stats().failed()).isEqualTo(CallLog.RECENT_KEPT + 5);
    }

    @Test
    void aReaderOfActiveThenRecentNeverMissesAnEndingCall() throws Exception {
        int calls = CallLog.RECENT_KEPT - 50;
        for (int round = 0; round < 200; round++) {
            CallLog log = new CallLog();
            java.util.List<CallRecord> started = new java.util.ArrayList<>();
            for (int i = 0; i < calls; i++) {
                CallRecord r = CallRecord.started("c" + i, CallRecord.Direction.SIP_TO_APP, "u", "1005", "1", t0);
                log.started(r);
                started.add(r);
            }
            Thread ender = new Thread(() -> started.forEach(r -> log.ended(r.ended(t0, "bye"))));
            ender.start();
            int smallest = calls;
            while (ender.isAlive()) {
                java.util.Set<String> seen = new java.util.HashSet<>();
                log.active().forEach(r -> seen.add(r.id()));
                log.recent().forEach(r -> seen.add(r.id()));
                smallest = Math.min(smallest, seen.size());
            }
            ender.join();
            assertThat(smallest).as("calls seen in active or recent while they ended, round " + round).isEqualTo(calls);
        }
    }
}
