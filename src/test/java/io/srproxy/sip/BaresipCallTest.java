package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.srproxy.media.codec.G711;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Tones;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Calls between the agent and a real baresip through a real Kamailio, with audio proven both
 * ways: the agent sends 440 Hz, baresip sends 1000 Hz; each is found in what the other received.
 */
class BaresipCallTest {

    private static final double AGENT_TONE = 440;
    private static final double PHONE_TONE = 1000;
    private static final double STRANGER_TONE = 2600;

    @Test
    void agentCallsBaresipAndTonesFlowBothWays() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             SipTestAgent agent = SipTestAgent.start(SipTestAgent.settings(kamailio.port(), "1000", "1234", ""))) {
            Registration registration = agent.register();
            await().atMost(Duration.ofSeconds(5)).until(() -> registration.state() == RegistrationState.REGISTERED);

            TestCall call = agent.call("1005", "srproxy test");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
            assertThat(call.events).as("events").anyMatch(e -> e.startsWith("answered PCM"));
            call.playTone(AGENT_TONE, 2.5);
            await().atMost(Duration.ofSeconds(10)).until(() -> call.audio.seconds() >= 2.0);
            // let our tone reach baresip; its recording is closed when the call ends
            await().atMost(Duration.ofSeconds(10)).until(() -> call.sip().rtp().sentPackets() >= 120);

            // RFC 4733 both ways: baresip reports our digits, we report its digit
            call.sip().sendDtmf("15#");
            await().atMost(Duration.ofSeconds(5)).until(() -> phone.receivedDigits().equals("15#"));
            phone.sendDigit('7');
            await().atMost(Duration.ofSeconds(5)).until(() -> call.digits.toString().equals("7"));

            phone.hangUp(); // BYE from the callee; our own BYE is covered by the sipp and leak tests
            await().atMost(Duration.ofSeconds(5)).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.REMOTE_BYE);

            short[] heard = skipStart(call.audio.samples());
            assertThat(Tones.relativePower(heard, 8000, PHONE_TONE)).as("1000 Hz from baresip").isGreaterThan(0.5);
            assertThat(Tones.relativePower(heard, 8000, AGENT_TONE)).isLessThan(0.05);

            Path rec = await().atMost(Duration.ofSeconds(10)).until(phone::receivedRecording, r -> r.isPresent()).get();
            await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
            Tones.Pcm pcm = Tones.readWav(rec);
            short[] phoneHeard = skipStart(pcm.samples());
            assertThat(Tones.relativePower(phoneHeard, pcm.sampleRate(), AGENT_TONE)).as("440 Hz at baresip").isGreaterThan(0.3);
            assertThat(Tones.relativePower(phoneHeard, pcm.sampleRate(), PHONE_TONE)).isLessThan(0.05);
            assertThat(Files.size(rec)).isGreaterThan(44);
        }
    }

    /**
     * A stranger on another address sprays PCMU at the agent's whole RTP port range while the
     * call runs (8 rounds of 401 ports): the agent hears baresip only, sends nothing to the
     * stranger, and counts the strays.
     */
    @Test
    void aStrangerSprayingTheRtpPortRangeIsNotHeardAndHearsNothing() throws Exception {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             SipTestAgent agent = SipTestAgent.start(SipTestAgent.settings(kamailio.port(), "1000", "1234", ""));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            Registration registration = agent.register();
            await().atMost(Duration.ofSeconds(5)).until(() -> registration.state() == RegistrationState.REGISTERED);
            SipSettings s = agent.agent().settings();
            TestCall call = agent.call("1005", "srproxy test");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
            assertThat(call.events).as("events").anyMatch(e -> e.startsWith("answered PCM"));
            call.playTone(AGENT_TONE, 3);

            short[] tone = Tones.sine(STRANGER_TONE, 8000, 1.0, 0.8);
            byte[] p = new byte[12 + 160];
            int packets = 0;
            for (int round = 0; round < 8; round++) {
                RtpHeader.writeFixed(p, 0, round == 0, 0, round, 160L * round, 0x6666_6666L);
                G711.encode(tone, (round % 50) * 160, p, 12, 160, false);
                for (int port = s.rtpPortMin(); port <= s.rtpPortMax(); port++) {
                    stranger.send(new DatagramPacket(p, p.length, new InetSocketAddress("127.0.0.1", port)));
                    packets++;
                }
                Thread.sleep(250);
            }
            assertThat(packets).isLessThan(4000);
            // the call's own RTP and RTCP ports got 8 packets each
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.agent().rtpStrayDropped() >= 16);
            await().atMost(Duration.ofSeconds(10)).until(() -> call.audio.seconds() >= 2.0);
            assertThat(call.sip().rtp().remoteRtpAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            stranger.setSoTimeout(500);
            assertThatThrownBy(() -> stranger.receive(new DatagramPacket(new byte[2048], 2048)))
                    .as("nothing is sent to the stranger").isInstanceOf(SocketTimeoutException.class);

            phone.hangUp();
            await().atMost(Duration.ofSeconds(5)).until(() -> call.end != null);
            short[] heard = skipStart(call.audio.samples());
            assertThat(Tones.relativePower(heard, 8000, PHONE_TONE)).as("1000 Hz from baresip").isGreaterThan(0.5);
            assertThat(Tones.relativePower(heard, 8000, STRANGER_TONE)).as("the stranger's tone").isLessThan(0.01);
        }
    }

    @ParameterizedTest
    @EnumSource(KamailioServer.ZeroMode.class)
    void baresipDialsZeroUidAndTheAgentGetsTheUidWithThePrefixStripped(KamailioServer.ZeroMode mode) {
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), mode, 300);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), PHONE_TONE);
             SipTestAgent agent = SipTestAgent.start(SipTestAgent.settings(kamailio.port(), "1000", "1234", ""))) {
            Registration registration = agent.register();
            await().atMost(Duration.ofSeconds(5)).until(() -> registration.state() == RegistrationState.REGISTERED);
            agent.onIncoming(c -> {
                c.incoming().ringing();
                c.incoming().answer();
            });

            phone.dial("01086");
            TestCall call = await().atMost(Duration.ofSeconds(10)).until(agent.incoming::peek, c -> c != null);
            IncomingCall in = call.incoming();
            assertThat(in.calledNumber()).isEqualTo("1086");
            assertThat(in.prefix()).isEqualTo("0");
            assertThat(in.dialledNumber()).isEqualTo("01086");
            assertThat(in.callerNumber()).isEqualTo("1005");
            assertThat(in.requestUriUser()).isEqualTo(mode == KamailioServer.ZeroMode.KEEP ? "01086" : "1000");
            await().atMost(Duration.ofSeconds(5)).until(() -> call.has("answered"));
            call.playTone(AGENT_TONE, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> call.audio.seconds() >= 1.5);
            assertThat(Tones.relativePower(skipStart(call.audio.samples()), 8000, PHONE_TONE)).isGreaterThan(0.5);

            phone.hangUp();
            await().atMost(Duration.ofSeconds(5)).until(() -> call.end != null);
            assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.REMOTE_BYE);
            assertThat(agent.agent().activeCalls()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.agent().rtpPortsInUse() == 0);
        }
    }

    /** Drops the first 200 ms (jitter buffer start-up, silence). */
    private static short[] skipStart(short[] s) {
        return s.length > 1600 ? Arrays.copyOfRange(s, 1600, s.length) : s;
    }
}
