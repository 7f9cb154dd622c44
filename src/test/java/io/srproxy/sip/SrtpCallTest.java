package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.testsupport.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * SDES-SRTP on the SIP leg ({@code [media] sip_srtp}) with baresip's srtp module through Kamailio,
 * signalling over TLS: tones both ways prove both sides decrypt what the other encrypts.
 */
class SrtpCallTest {

    private static final double PHONE_TONE = 1000;

    @TempDir
    static Path certDir;

    @BeforeAll
    static void start() throws Exception {
        SecureTransportCallTest.start(certDir);
    }

    @AfterAll
    static void stop() {
        SecureTransportCallTest.stop();
    }

    /** Registers {@code agent} at the Kamailio of {@link SecureTransportCallTest} and waits until it is. */
    static void register(SipTestAgent agent) {
        Registration registration = agent.register();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registration.state())
                .as("registration: %s", agent.registrationEvents()).isEqualTo(RegistrationState.REGISTERED));
    }

    /** sip_srtp=require offers RTP/SAVP with our key; baresip's srtp-mand answers with its own. */
    @Test
    void agentRequiringSrtpCallsBaresipWithMandatorySrtpAndTonesFlowBothWays() throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711,
                     SecureTransportCallTest.phoneAccount("tls", "srtp-mand"));
             SipTestAgent agent = SipTestAgent.start(SecureTransportCallTest.agentSettings("tls", "[media]\nsip_srtp=require\n"))) {
            register(agent);
            TestCall call = agent.call("1005", "srproxy test");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
            assertThat(call.events).as("events").anyMatch(e -> e.startsWith("answered PCM"));
            assertThat(call.sip().srtp()).as("SRTP on the call").isTrue();
            SecureTransportCallTest.assertTonesBothWays(call, phone);
            phone.hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
            SecureTransportCallTest.assertPhoneHeardTheAgent(phone);
        }
    }

    /** baresip's best-effort srtp offers RTP/AVP with a=crypto; sip_srtp=offer takes the key and answers with ours. */
    @Test
    void baresipOfferingSrtpCallsTheAgentAndTonesFlowBothWays() throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711,
                     SecureTransportCallTest.phoneAccount("tls", "srtp"));
             SipTestAgent agent = SipTestAgent.start(SecureTransportCallTest.agentSettings("tls", "[media]\nsip_srtp=offer\n"))) {
            register(agent);
            agent.onIncoming(c -> c.incoming().answer());
            phone.dial("01086");
            TestCall call = await().atMost(Duration.ofSeconds(10)).until(agent.incoming::peek, c -> c != null);
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered"));
            assertThat(call.sip().srtp()).as("SRTP on the call").isTrue();
            SecureTransportCallTest.assertTonesBothWays(call, phone);
            call.sip().hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
            SecureTransportCallTest.assertPhoneHeardTheAgent(phone);
        }
    }

    /** sip_srtp=require: a plain offer is refused with 488 before the application sees the call. */
    @Test
    void plainOfferIsRefusedWith488WhenSrtpIsRequired() {
        try (BaresipPhone phone = BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711,
                     SecureTransportCallTest.phoneAccount("tcp", null));
             SipTestAgent agent = SipTestAgent.start(SecureTransportCallTest.agentSettings("tcp", "[media]\nsip_srtp=require\n"))) {
            register(agent);
            agent.onIncoming(c -> c.incoming().answer());
            phone.dial("01086");
            await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("488"));
            assertThat(agent.agent().activeCalls()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.agent().rtpPortsInUse() == 0);
        }
    }
}
