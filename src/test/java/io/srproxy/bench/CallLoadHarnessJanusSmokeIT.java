package io.srproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The load harness's Janus mode end to end with 3 calls for 10 s: Janus's SIP plugin users
 * register at Kamailio, sipp's calls reach them, the harness's peers answer Janus's offer with
 * PCMU, and the audio comes back from sipp's echo through Janus. Fails with CI=true when janus is
 * missing. No timing or capacity assertion: figures belong to benchmarks.
 */
class CallLoadHarnessJanusSmokeIT {

    @Test
    void threeCallsThroughJanusConnectAndMediaFlowsBothWays() throws Exception {
        List<LevelResult> levels = CallLoadHarness.run(Map.of("target", "janus", "levels", "3", "hold", "10",
                "call-seconds", "6", "rate", "3", "out", "target/load-it"));
        LevelResult r = levels.get(0);
        assertThat(r.sippSucceeded()).as("calls sipp completed").isGreaterThanOrEqualTo(3);
        assertThat(r.sippFailed()).as("calls sipp saw fail").isZero();
        assertThat(r.appConnected()).as("peer calls with DTLS-SRTP up at Janus").isGreaterThanOrEqualTo(3);
        assertThat(r.appWithMedia()).as("peer calls that got their audio back through Janus and sipp's echo")
                .isEqualTo(r.appConnected());
        assertThat(r.packetsReceived()).as("packets back at the peers").isGreaterThan(r.packetsSent() / 2);
    }
}
