package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * The agent against sipp scenarios through Kamailio: sipp plays the PSTN stand-in (9&lt;number&gt;)
 * for outgoing calls, and a caller dialling 0&lt;uid&gt; for incoming ones.
 */
class SippScenarioTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static int pstnPort;
    private static KamailioServer kamailio;
    private static SipTestAgent agent;

    @BeforeAll
    static void start() {
        pstnPort = FreePorts.tcpAndUdp();
        kamailio = KamailioServer.start("1000", pstnPort, KamailioServer.ZeroMode.KEEP, 300);
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

    @ParameterizedTest
    @CsvSource({"486,Busy Here", "603,Decline", "404,Not Found"})
    void failuresAreSurfacedWithStatusAndReason(int status, String reason) {
        try (Sipp pstn = Sipp.uas("uas_reject.xml", pstnPort, "@STATUS@", Integer.toString(status), "@REASON@", reason)) {
            TestCall call = agent.call("9555" + status, "Alice");
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.events).contains("failed " + status + " " + reason);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.REJECTED);
            assertThat(call.end.status()).isEqualTo(status);
            pstn.assertPassed();
        }
    }

    @Test
    void earlyMediaFlowsBeforeTheAnswerAndWeHangUp() {
        try (Sipp pstn = Sipp.uas("uas_early_media_then_answer.xml", pstnPort)) {
            TestCall call = agent.call("95551234", "Alice");
            await().atMost(WAIT).until(() -> call.has("early"));
            call.playTone(440, 4); // sipp echoes our RTP: it comes back during early media
            await().atMost(WAIT).until(() -> call.has("answered"));
            assertThat(call.packetsAtAnswer).as("RTP received before the 200").isGreaterThan(10);
            assertThat(call.events).containsSubsequence("early PCMU", "answered PCMU");
            call.sip().hangUp();
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.LOCAL_BYE);
            pstn.assertPassed();
        }
    }

    @Test
    void cancelWhileRingingEndsWith487() {
        try (Sipp pstn = Sipp.uas("uas_ring_then_cancelled.xml", pstnPort)) {
            TestCall call = agent.call("95550001", "Alice");
            await().atMost(WAIT).until(() -> call.has("ringing"));
            call.sip().hangUp();
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.CANCELLED);
            assertThat(call.events).noneMatch(e -> e.startsWith("answered"));
            pstn.assertPassed();
        }
    }

    @Test
    void a200CrossingOurCancelIsAckedThenByed() {
        try (Sipp pstn = Sipp.uas("uas_answer_crosses_cancel.xml", pstnPort)) {
            TestCall call = agent.call("95550002", "Alice");
            await().atMost(WAIT).until(() -> call.has("ringing"));
            call.sip().hangUp();
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.CANCELLED);
            assertThat(call.events).noneMatch(e -> e.startsWith("answered"));
            pstn.assertPassed(); // sipp got our ACK and our BYE
        }
    }

    @Test
    void noAnswerTimeoutCancelsTheCall() {
        SipSettings quick = SipTestAgent.settings(kamailio.port(), "1001", "1234", "").withNoAnswer(Duration.ofSeconds(1));
        try (Sipp pstn = Sipp.uas("uas_ring_then_cancelled.xml", pstnPort);
             SipTestAgent impatient = SipTestAgent.start(quick)) {
            TestCall call = impatient.call("95550003", "Bob");
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.events).contains("failed 408 no answer");
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.NO_ANSWER);
            pstn.assertPassed();
        }
    }

    /**
     * A SIP server's dialog keep-alive (Kamailio's dialog module: an in-dialog OPTIONS with a CSeq no
     * higher than the dialog's last) is answered 200, not dropped as a retransmission: a dropped one
     * times out and Kamailio ends the live call.
     */
    @Test
    void aDialogKeepaliveIsAnswered200() {
        agent.onIncoming(c -> c.incoming().answer());
        agent.incoming.clear();
        try (Sipp caller = Sipp.uac("uac_dialog_keepalive.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "01086")) {
            caller.assertPassed(); // 200 to the OPTIONS, then to the BYE
            TestCall call = agent.incoming.poll();
            assertThat(call).isNotNull();
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.events).contains("ended REMOTE_BYE");
        } finally {
            agent.onIncoming(c -> { });
        }
    }

    /** The same toward our side as the caller (Kamailio's ka-src): answered 200 too. */
    @Test
    void aDialogKeepaliveToUsAsTheCallerIsAnswered200() {
        try (Sipp pstn = Sipp.uas("uas_answer_keepalive.xml", pstnPort)) {
            TestCall call = agent.call("95551234", "Alice");
            await().atMost(WAIT).until(() -> call.has("answered"));
            // its OPTIONS and our answer (the scenario checks it is a 200) are in its trace
            await().atMost(WAIT).until(() -> pstn.messages().split("CSeq: 1 OPTIONS", -1).length - 1 >= 2);
            call.sip().hangUp();
            pstn.assertPassed(); // 200 to its OPTIONS, then our BYE
        }
    }

    @Test
    void reInviteHoldResumeAndNewAddressAreAnsweredThenCallerHangsUp() {
        agent.onIncoming(c -> c.incoming().answer());
        agent.incoming.clear();
        int resumePort = FreePorts.tcpAndUdp();
        try (Sipp caller = Sipp.uac("uac_hold_resume.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "01086",
                "resume_port", Integer.toString(resumePort))) {
            caller.assertPassed(); // checks recvonly, inactive, sendrecv and Session-Expires in our 200s
            TestCall call = agent.incoming.poll();
            assertThat(call).isNotNull();
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.incoming().calledNumber()).isEqualTo("1086");
            assertThat(call.incoming().callerDisplayName()).isEqualTo("SIPp Caller");
            int first = caller.mediaPort();
            assertThat(call.events).containsSubsequence("answered PCMU", "media RECVONLY " + first, "media INACTIVE " + first,
                    "media SENDRECV " + resumePort, "ended REMOTE_BYE");
        } finally {
            agent.onIncoming(c -> { });
        }
    }

    @Test
    void anInviteFromAnUntrustedAddressGets403AndIsLogged() {
        Logger logger = (Logger) LoggerFactory.getLogger(SipAdmission.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (Sipp intruder = Sipp.uac("uac_invite_untrusted.xml", "127.0.0.2", "127.0.0.1:" + agent.agent().port(), "01086")) {
            intruder.assertPassed();
            assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("INVITE from untrusted 127.0.0.2 refused with 403"));
            assertThat(agent.agent().activeCalls()).isZero();
        } finally {
            logger.detachAppender(logs);
        }
    }

    @Test
    void aCallWithoutRtpIsHungUpAfterRtpTimeout() {
        SipSettings s = SipTestAgent.settings(kamailio.port(), "1001", "1234", "");
        SipSettings oneSecond = new SipSettings(s.bindAddress(), s.localPort(), s.serverHost(), s.serverPort(), s.publicIp(),
                s.trusted(), s.account(), s.password(), s.prefix(), s.registerExpires(), s.keepalive(), s.noAnswer(),
                s.retryMin(), s.retryMax(), s.authRetry(), s.t1(), s.rtpPortMin(), s.rtpPortMax(), s.codecs(), 1);
        try (Sipp pstn = Sipp.uas("uas_answer.xml", pstnPort); SipTestAgent quiet = SipTestAgent.start(oneSecond)) {
            TestCall call = quiet.call("95550004", "Bob"); // sipp only echoes, and we send nothing
            await().atMost(WAIT).until(() -> call.end != null);
            assertThat(call.events).anyMatch(e -> e.startsWith("answered"));
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.NO_MEDIA);
            pstn.assertPassed(); // it got our BYE
        }
    }
}
