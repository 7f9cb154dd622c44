package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.media.PayloadFormat;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Calls to the agent (UAS) from sipp callers dialling 0&lt;uid&gt; through Kamailio, or straight from the server's address. */
class IncomingCallScenarioTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static KamailioServer kamailio;
    private static SipTestAgent agent;

    @BeforeAll
    static void start() {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.TO, 300);
        agent = SipTestAgent.start(SipTestAgent.settings(kamailio.port(), "1000", "1234", ""));
        Registration r = agent.register();
        await().atMost(WAIT).until(() -> r.state() == RegistrationState.REGISTERED);
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    private static Sipp caller(String scenario, String... keys) {
        return Sipp.uac(scenario, "127.0.0.1", "127.0.0.1:" + kamailio.port(), "01086", keys);
    }

    /** RTP port pairs taken so far: a refused INVITE must take none (the session opens on answer). */
    private static long portsTaken() {
        return agent.agent().rtpPortsAllocated();
    }

    @ParameterizedTest
    @ValueSource(ints = {486, 480, 603, 404, 403})
    void theHandlerRejectsWithTheStatusItChose(int status) {
        agent.incoming.clear();
        long ports = portsTaken();
        agent.onIncoming(c -> {
            c.incoming().ringing();
            c.incoming().reject(status);
        });
        try (Sipp sipp = caller("uac_expect_final.xml", "@STATUS@", Integer.toString(status), "@MLINE@", "0",
                "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
            sipp.assertPassed();
            TestCall call = await().atMost(WAIT).until(agent.incoming::peek, c -> c != null && c.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.REJECTED);
            assertThat(call.end.status()).isEqualTo(status);
            assertThat(portsTaken()).as("RTP port pairs taken for a refused INVITE").isEqualTo(ports);
        }
    }

    @Test
    void anOfferWithoutACommonCodecGets488() {
        agent.incoming.clear();
        long ports = portsTaken();
        agent.onIncoming(c -> c.incoming().answer());
        try (Sipp sipp = caller("uac_expect_final.xml", "@STATUS@", "488", "@MLINE@", "18",
                "@RTPMAP@", "a=rtpmap:18 G729/8000")) {
            sipp.assertPassed();
            assertThat(agent.incoming).as("the handler never sees it").isEmpty();
            await().atMost(WAIT).until(() -> agent.agent().activeCalls() == 0);
            assertThat(portsTaken()).as("RTP port pairs taken").isEqualTo(ports);
        }
    }

    @Test
    void aMalformedOfferGets400AndTakesNoPort() {
        agent.incoming.clear();
        long ports = portsTaken();
        agent.onIncoming(c -> c.incoming().answer());
        try (Sipp sipp = caller("uac_expect_final.xml", "@STATUS@", "400", "@MLINE@", "0",
                "@RTPMAP@", "a=rtpmap:0 PCMU/0")) {
            sipp.assertPassed();
            assertThat(agent.incoming).as("the handler never sees it").isEmpty();
            await().atMost(WAIT).until(() -> agent.agent().activeCalls() == 0);
            assertThat(portsTaken()).as("RTP port pairs taken").isEqualTo(ports);
        }
    }

    /** A handler that narrows the codecs (a conference room: G.711) refuses an offer without them: 488, the reason in the call's end. */
    @Test
    void anOfferWithoutTheNarrowedCodecsGets488WithTheReason() {
        agent.incoming.clear();
        long ports = portsTaken();
        agent.onIncoming(c -> {
            if (c.incoming().answerOnly(agent.agent().offerAnswer().narrowedTo(java.util.List.of(PayloadFormat.PCMA)), "this room takes PCMA only")) {
                c.incoming().answer();
            }
        });
        try (Sipp sipp = caller("uac_expect_final.xml", "@STATUS@", "488", "@MLINE@", "0",
                "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
            sipp.assertPassed();
            TestCall call = await().atMost(WAIT).until(agent.incoming::peek, c -> c != null && c.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.MEDIA_ERROR);
            assertThat(call.end.status()).isEqualTo(488);
            assertThat(call.end.toString()).contains("this room takes PCMA only", "PCMU/8000");
            await().atMost(WAIT).until(() -> agent.agent().activeCalls() == 0);
            assertThat(portsTaken()).as("RTP port pairs taken").isEqualTo(ports);
        }
    }

    @Test
    void aCancelFromTheCallerGets487() {
        agent.incoming.clear();
        agent.onIncoming(c -> c.incoming().ringing());
        try (Sipp sipp = caller("uac_cancel.xml")) {
            sipp.assertPassed();
            TestCall call = await().atMost(WAIT).until(agent.incoming::peek, c -> c != null && c.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.CANCELLED);
            assertThat(call.incoming().calledNumber()).isEqualTo("1086");
            assertThat(call.incoming().requestUriUser()).isEqualTo("1000");
        }
    }

    @Test
    void aMissingAckMakesUsHangUp() {
        // straight from 127.0.0.1 (the SIP server's address, so trusted); T1 50 ms: the ACK wait is 3.2 s
        SipSettings quick = SipTestAgent.settings(kamailio.port(), "1000", "1234", "").withT1(Duration.ofMillis(50));
        try (SipTestAgent direct = SipTestAgent.start(quick)) {
            direct.onIncoming(c -> c.incoming().answer());
            try (Sipp sipp = Sipp.uac("uac_never_acks.xml", "127.0.0.1", "127.0.0.1:" + direct.agent().port(), "01086")) {
                sipp.assertPassed(); // it received our BYE
                TestCall call = await().atMost(WAIT).until(direct.incoming::peek, c -> c != null && c.end != null);
                assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.NO_ACK);
                assertThat(call.events).noneMatch(e -> e.startsWith("answered"));
            }
        }
    }

    @Test
    void earlyMediaFlowsBeforeWeAnswerAndWeHangUp() {
        agent.incoming.clear();
        agent.onIncoming(c -> c.incoming().earlyMedia());
        try (Sipp sipp = caller("uac_early_media.xml")) {
            TestCall call = await().atMost(WAIT).until(agent.incoming::peek, c -> c != null);
            call.playTone(440, 3); // sipp echoes it back while we are still in early media
            await().atMost(WAIT).until(() -> call.audio.packets() > 10);
            assertThat(call.events).noneMatch(e -> e.startsWith("answered"));
            call.incoming().answer();
            await().atMost(WAIT).until(() -> call.has("answered"));
            call.sip().hangUp();
            sipp.assertPassed(); // it saw 183 with SDP, 200, and our BYE
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.LOCAL_BYE);
        }
    }

    @Test
    void anAddressInSipTrustedMayCall() {
        SipSettings s = SipTestAgent.settings(kamailio.port(), "1000", "1234", "[global]\nsip_trusted=127.0.0.2/32\n");
        try (SipTestAgent trusting = SipTestAgent.start(s)) {
            trusting.onIncoming(c -> c.incoming().reject(486));
            try (Sipp sipp = Sipp.uac("uac_expect_final.xml", "127.0.0.2", "127.0.0.1:" + trusting.agent().port(), "01086",
                    "@STATUS@", "486", "@MLINE@", "0", "@RTPMAP@", "a=rtpmap:0 PCMU/8000")) {
                sipp.assertPassed(); // 486 from the handler, not 403
                TestCall call = await().atMost(WAIT).until(trusting.incoming::peek, c -> c != null && c.end != null);
                assertThat(call.incoming().callerNumber()).isEqualTo("sipp");
            }
        }
    }
}
