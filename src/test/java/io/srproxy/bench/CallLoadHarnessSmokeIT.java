package io.srproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The load harness end to end against the packaged jar, in each direction: 20 calls up at once for
 * 10 s through Kamailio and srproxy (sipp phones calling apps, apps calling a sipp UAS over the
 * PSTN route, apps calling apps). Checks that the calls connect, that media flows both ways (each
 * app gets audio back: sipp's echo, or the other app's), and that srproxy holds no call, channel
 * or WebRTC session once they have ended. No timing or capacity assertion: figures belong to
 * benchmarks. The apps' media runs on two harness I/O threads, so that both clocks are exercised. Also {@link GroupLoadHarness}'s smoke: one 3-member group channel for 4 s.
 */
class CallLoadHarnessSmokeIT {

    private static final int CALLS = 20;

    @ParameterizedTest
    @ValueSource(strings = {"sip-to-app", "app-to-sip", "app-to-app"})
    void callsConnectMediaFlowsBothWaysAndNothingIsLeftBehind(String direction) throws Exception {
        List<LevelResult> levels = CallLoadHarness.run(Map.of("direction", direction, "levels", Integer.toString(CALLS),
                "max-calls", Integer.toString(CALLS), "hold", "10", "call-seconds", "15", "rate", "10", "out", "target/load-it",
                "harness-io-threads", "2"));
        LevelResult r = levels.get(0);
        assertThat(r.sippSucceeded()).as("calls held to their end").isEqualTo(CALLS);
        assertThat(r.sippFailed()).as("calls that failed").isZero();
        // a shared, overloaded machine may be too slow for a DTLS handshake or two: most, not all
        assertThat(r.appConnected()).as("app calls with DTLS-SRTP up").isGreaterThanOrEqualTo(CALLS * 9 / 10);
        // media both ways: the apps' audio reached the far end and came back (sipp's echo) or the
        // other app's reached them; on a shared machine a call whose DTLS came up in its last moment
        // may end before anything arrives, so not every last one
        assertThat(r.appWithMedia()).as("app calls that got audio back").isGreaterThanOrEqualTo(r.appConnected() * 9 / 10);
        assertThat(r.packetsReceived()).as("packets back at the apps").isGreaterThan(r.packetsSent() / 4);
        assertThat(r.leftAfter()).as("srproxy's calls, channels and sessions after the calls")
                .isNotEmpty().allSatisfy((gauge, value) -> assertThat(value).as(gauge).isZero());
        assertThat(r.udpDropsInWindow()).as("UDP drops counted per process").containsKeys("srproxy", "harness");
    }

    /** Every member of a 3-member channel gets both others' audio (re-offers answered, streams forwarded); nothing is left. */
    @Test
    void groupChannelForwardsEveryMembersAudioToTheOthersAndNothingIsLeftBehind() throws Exception {
        GroupLoadHarness.Result r = GroupLoadHarness.run(Map.of("members", "3", "hold", "4", "sip-legs", "", "warmup", "0",
                "idle", "0", "out", "target/load-it"));
        GroupLoadHarness.ForwardLevel level = r.forwarding().get(0);
        assertThat(level.failures()).as("members that failed").isEmpty();
        assertThat(level.streamsWithMedia()).as("streams with audio, of 3 x 2").isEqualTo(6);
        assertThat(level.packetsExpected()).as("packets forwarded in the window").isPositive();
        assertThat(level.leftAfter()).as("srproxy's calls, channels and sessions after the level")
                .isNotEmpty().allSatisfy((gauge, value) -> assertThat(value).as(gauge).isZero());
    }
}
