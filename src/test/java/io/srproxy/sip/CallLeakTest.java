package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** 50 calls in a row through Kamailio to a sipp UAS leave no port pair, dialog, call or thread behind. */
class CallLeakTest {

    private static final int CALLS = 50;

    @Test
    void fiftyCallsInARowLeaveNothingBehind() {
        int pstnPort = FreePorts.tcpAndUdp();
        try (KamailioServer kamailio = KamailioServer.start("1000", pstnPort, KamailioServer.ZeroMode.KEEP, 300);
             Sipp pstn = Sipp.uas("uas_answer_unordered.xml", pstnPort, CALLS);
             SipTestAgent agent = SipTestAgent.start(SipTestAgent.settings(kamailio.port(), "1000", "1234", ""))) {
            SipAgent sip = agent.agent();
            int baselineThreads = -1;
            for (int i = 0; i < CALLS; i++) {
                TestCall call = agent.call("9" + (5550000 + i), "Leak " + i);
                await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
                assertThat(call.events).as("call %d", i).anyMatch(e -> e.startsWith("answered"));
                assertThat(sip.rtpPortsInUse()).isEqualTo(1);
                call.sip().hangUp();
                await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
                assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.LOCAL_BYE);
                if (i == 0) {
                    // after one full call every lazily started thread exists
                    await().atMost(Duration.ofSeconds(10)).alias("dialogs left: " + sip.dialogSummary())
                            .until(() -> sip.openDialogs() == 0);
                    baselineThreads = sipThreads();
                }
            }
            pstn.assertPassed();
            assertThat(sip.activeCalls()).isZero();
            assertThat(sip.rtpPortsInUse()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> sip.openDialogs() == 0);
            int baseline = baselineThreads;
            await().atMost(Duration.ofSeconds(10)).until(() -> sipThreads() <= baseline);
        }
    }

    /** Threads of SIP agents and RTP (other suites in the same JVM start and stop their own). */
    private static int sipThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> SipAgent.threadNamePrefixes().stream().anyMatch(p -> t.getName().startsWith(p)))
                .count();
    }
}
