package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.auth.SelfSignedCertificate;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calls over SIP/TCP and SIP/TLS ({@code [global] sip_transport}) between the agent and baresip
 * through Kamailio, both directions, with tones proven both ways: the agent registers, calls and
 * is called over the transport, and Kamailio reaches the agent's Contact over it too.
 */
class SecureTransportCallTest {

    private static final double AGENT_TONE = 440;
    private static final double PHONE_TONE = 1000;

    @TempDir
    static Path tempDir;
    /** Where the agent's certificate is: this class's temp dir, or the one of the class that started it. */
    private static Path dir;

    private static KamailioServer kamailio;

    @BeforeAll
    static void start() throws Exception {
        start(tempDir);
    }

    /** Kamailio with TLS, and the agent's certificate in {@code certDir} (SrtpCallTest passes its own temp dir). */
    static void start(Path certDir) throws Exception {
        dir = certDir;
        kamailio = KamailioServer.startWithTls("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        SelfSignedCertificate.write(dir.resolve("agent-cert.pem"), dir.resolve("agent-key.pem"), List.of("127.0.0.1"),
                Duration.ofDays(1));
    }

    @AfterAll
    static void stop() {
        if (kamailio != null) {
            kamailio.close();
        }
    }

    /** The agent's settings for {@code transport}: over TLS with its own certificate, trusting only Kamailio's. */
    static SipSettings agentSettings(String transport, String extraConf) {
        boolean tls = transport.equals("tls");
        String global = "[global]\nsip_transport=" + transport + "\n"
                + (tls ? "sip_tls_cert=" + dir.resolve("agent-cert.pem") + "\nsip_tls_key=" + dir.resolve("agent-key.pem")
                + "\nsip_tls_port=" + FreePorts.tcpAndUdp() + "\nsip_tls_ca=" + kamailio.tlsCertificate() + "\n" : "");
        return SipTestAgent.settings(tls ? kamailio.tlsPort() : kamailio.port(), "1000", "1234", global + extraConf);
    }

    static BaresipPhone.Account phoneAccount(String transport, String mediaenc) {
        return new BaresipPhone.Account(transport, transport.equals("tls") ? kamailio.tlsPort() : kamailio.port(), mediaenc);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void agentCallsBaresipOverTheTransportAndTonesFlowBothWays(String transport) throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711, phoneAccount(transport, null));
             SipTestAgent agent = SipTestAgent.start(agentSettings(transport, ""))) {
            Registration registration = agent.register();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registration.state())
                    .as("registration: %s", agent.registrationEvents()).isEqualTo(RegistrationState.REGISTERED));

            TestCall call = agent.call("1005", "srproxy test");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
            assertThat(call.events).as("events").anyMatch(e -> e.startsWith("answered PCM"));
            assertTonesBothWays(call, phone);

            phone.hangUp(); // the BYE comes from Kamailio to our Contact, over the transport
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.REMOTE_BYE);
            assertThat(agent.agent().openTcpConnections()).as("Kamailio's connection to our Contact").isPositive();
            assertPhoneHeardTheAgent(phone);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "tls"})
    void baresipCallsTheAgentOverTheTransportAndTheAgentHangsUp(String transport) throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711, phoneAccount(transport, null));
             SipTestAgent agent = SipTestAgent.start(agentSettings(transport, ""))) {
            Registration registration = agent.register();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registration.state())
                    .as("registration: %s", agent.registrationEvents()).isEqualTo(RegistrationState.REGISTERED));
            agent.onIncoming(c -> {
                c.incoming().ringing();
                c.incoming().answer();
            });
            phone.dial("01086");
            TestCall call = await().atMost(Duration.ofSeconds(10)).until(agent.incoming::peek, c -> c != null);
            assertThat(call.incoming().calledNumber()).isEqualTo("1086");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered"));
            assertThat(agent.agent().openTcpConnections()).as("the INVITE came on a connection").isPositive();
            assertTonesBothWays(call, phone);

            call.sip().hangUp(); // our BYE over the transport
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.LOCAL_BYE);
            await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("closed"));
            assertPhoneHeardTheAgent(phone);
        }
    }

    static void assertTonesBothWays(TestCall call, BaresipPhone phone) {
        call.playTone(AGENT_TONE, 2.5);
        await().atMost(Duration.ofSeconds(10)).until(() -> call.audio.seconds() >= 2.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> call.sip().rtp().sentPackets() >= 120);
        short[] heard = skipStart(call.audio.samples());
        assertThat(Tones.relativePower(heard, 8000, PHONE_TONE)).as("1000 Hz from baresip").isGreaterThan(0.5);
        assertThat(Tones.relativePower(heard, 8000, AGENT_TONE)).isLessThan(0.05);
    }

    static void assertPhoneHeardTheAgent(BaresipPhone phone) throws Exception {
        Path rec = await().atMost(Duration.ofSeconds(10)).until(phone::receivedRecording, r -> r.isPresent()).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
        Tones.Pcm pcm = Tones.readWav(rec);
        short[] phoneHeard = skipStart(pcm.samples());
        assertThat(Tones.relativePower(phoneHeard, pcm.sampleRate(), AGENT_TONE)).as("440 Hz at baresip").isGreaterThan(0.3);
        assertThat(Tones.relativePower(phoneHeard, pcm.sampleRate(), PHONE_TONE)).isLessThan(0.05);
    }

    private static short[] skipStart(short[] s) {
        return s.length > 1600 ? Arrays.copyOfRange(s, 1600, s.length) : s;
    }
}
