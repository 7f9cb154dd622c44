package io.srproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load harness's sipp caller (uac_load_call.xml) against a UAS that misbehaves the way a loaded SIP path does. */
class LoadScenarioTest {

    @Test
    void aLate180AndAResent200AfterTheAckDoNotAbortTheCall(@TempDir Path dir) throws Exception {
        int port = FreePorts.tcpAndUdp();
        try (Sipp uas = Sipp.uas("uas_hiccup_after_ack.xml", port);
             SippCallers caller = SippCallers.start(dir, port, "0", List.of("1086"), 1, 1, 1000, 1)) {
            uas.assertPassed(); // it got an ACK for each 200 and then the caller's BYE
            assertThat(caller.awaitExit(30)).as("sipp's caller finished").isTrue();
            assertThat(caller.stat("FailedCall(C)")).as("calls the caller saw fail").isZero();
            assertThat(caller.stat("SuccessfulCall(C)")).as("calls the caller completed").isEqualTo(1);
        }
    }
}
