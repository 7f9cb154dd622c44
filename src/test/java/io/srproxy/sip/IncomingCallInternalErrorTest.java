package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A bug in taking an INVITE (here: the incoming-call handler throws) answers 500 and leaves nothing behind. */
class IncomingCallInternalErrorTest {

    @Test
    void aThrowingHandlerGives500AndFreesTheCallsPortsAndTimers() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SipTestAgent callee = SipTestAgent.start(SipTestAgent.settings(server.getLocalPort(), "1000", "1234", ""))) {
            SipAgent agent = callee.agent();
            agent.onIncomingCall(call -> {
                throw new IllegalStateException("deliberate bug in the handler");
            });
            int portsBefore = agent.rtpPortsInUse();
            try (SipTestAgent caller = SipTestAgent.start(SipTestAgent.settings(agent.port(), "2000", "x", ""))) {
                for (int i = 0; i < 3; i++) {
                    TestCall call = caller.call("1005", "Bug " + i);
                    await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
                    assertThat(call.end.status()).as("call %d", i).isEqualTo(500);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.activeCalls() == 0);
            assertThat(agent.rtpPortsInUse()).isEqualTo(portsBefore);
            assertThat(agent.internalErrorCount()).isEqualTo(3);
        }
    }
}
