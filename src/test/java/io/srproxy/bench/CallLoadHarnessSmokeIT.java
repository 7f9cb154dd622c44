package io.srproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The load harness end to end with 3 calls for 10 s against the packaged jar: calls connect
 * through Kamailio and srproxy, and the app's audio comes back from sipp's echo (so media flows
 * both ways through the gateway). No timing or capacity assertion: figures belong to benchmarks.
 */
class CallLoadHarnessSmokeIT {

    @Test
    void threeCallsConnectAndMediaFlowsBothWays() throws Exception {
        List<LevelResult> levels = CallLoadHarness.run(Map.of("levels", "3", "hold", "10", "call-seconds", "6",
                "rate", "3", "out", "target/load-it"));
        LevelResult r = levels.get(0);
        assertThat(r.sippSucceeded()).as("calls sipp completed").isGreaterThanOrEqualTo(3);
        assertThat(r.sippFailed()).as("calls sipp saw fail").isZero();
        assertThat(r.appConnected()).as("app calls with DTLS-SRTP up").isGreaterThanOrEqualTo(3);
        assertThat(r.appWithMedia()).as("app calls that got their audio back through sipp's echo").isEqualTo(r.appConnected());
        assertThat(r.packetsReceived()).as("packets back at the apps").isGreaterThan(r.packetsSent() / 2);
    }
}
