package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.rtc.webrtc.DtlsCertificate;
import io.srproxy.rtc.webrtc.DtlsSrtpServer;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.sip.harness.Sipp;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTLS-SRTP on the SIP leg (RFC 5763/5764) with baresip's dtls_srtp module through Kamailio, both
 * directions: baresip offers UDP/TLS/RTP/SAVPF with a=setup:actpass and answers our actpass with
 * active, runs DTLS on the RTP and the RTCP port, and sends no media before it is keyed, so tones
 * both ways prove the handshake, the fingerprints and the keys. Signalling over TCP: unlike SDES,
 * DTLS-SRTP keeps its keys out of the SDP.
 */
class DtlsSrtpCallTest {

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

    private static SipTestAgent registeredAgent(String srtp) {
        SipTestAgent agent = SipTestAgent.start(SecureTransportCallTest.agentSettings("tcp", "[media]\nsip_srtp=" + srtp + "\n"));
        SrtpCallTest.register(agent);
        return agent;
    }

    private static BaresipPhone dtlsPhone() {
        return BaresipPhone.start("1005", PHONE_TONE, BaresipPhone.Codecs.G711,
                SecureTransportCallTest.phoneAccount("tcp", "dtls_srtp"));
    }

    /** sip_srtp=dtls offers UDP/TLS/RTP/SAVP with a=setup:actpass; baresip answers active and connects to us. */
    @Test
    void agentOfferingDtlsSrtpCallsBaresipAndTonesFlowBothWays() throws Exception {
        try (BaresipPhone phone = dtlsPhone(); SipTestAgent agent = registeredAgent("dtls")) {
            TestCall call = agent.call("1005", "srproxy test");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
            assertThat(call.events).as("events").anyMatch(e -> e.startsWith("answered PCM"));
            await().atMost(Duration.ofSeconds(10)).until(() -> call.sip().srtp() || call.end != null);
            assertThat(call.sip().srtp()).as("DTLS-SRTP keyed the call (ended: %s)", call.end).isTrue();
            SecureTransportCallTest.assertTonesBothWays(call, phone);
            phone.hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
            SecureTransportCallTest.assertPhoneHeardTheAgent(phone);
        }
    }

    /** baresip offers UDP/TLS/RTP/SAVPF, actpass; sip_srtp=offer answers passive with our fingerprint. */
    @Test
    void baresipOfferingDtlsSrtpCallsTheAgentAndTonesFlowBothWays() throws Exception {
        try (BaresipPhone phone = dtlsPhone(); SipTestAgent agent = registeredAgent("offer")) {
            agent.onIncoming(c -> c.incoming().answer());
            phone.dial("01086");
            TestCall call = await().atMost(Duration.ofSeconds(10)).until(agent.incoming::peek, c -> c != null);
            assertThat(call.incoming().offer().dtlsProfile()).as("offer %s", call.incoming().offer().protocol()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered"));
            await().atMost(Duration.ofSeconds(10)).until(() -> call.sip().srtp() || call.end != null);
            assertThat(call.sip().srtp()).as("DTLS-SRTP keyed the call (ended: %s)", call.end).isTrue();
            SecureTransportCallTest.assertTonesBothWays(call, phone);
            call.sip().hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
            SecureTransportCallTest.assertPhoneHeardTheAgent(phone);
        }
    }

    /** sip_srtp=off: a DTLS-SRTP offer is refused with 488 before the application sees the call. */
    @Test
    void dtlsOfferIsRefusedWith488WhenSrtpIsOff() {
        try (BaresipPhone phone = dtlsPhone(); SipTestAgent agent = registeredAgent("off")) {
            agent.onIncoming(c -> c.incoming().answer());
            phone.dial("01086");
            await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("488"));
            assertThat(agent.agent().activeCalls()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.agent().rtpPortsInUse() == 0);
        }
    }

    /**
     * A caller saying a=setup:passive makes the agent the DTLS client; the certificate the peer then
     * shows is not the one its a=fingerprint names, so the agent ends the call (BYE) with the reason.
     */
    @Test
    void aPeerCertificateThatDoesNotMatchTheOfferedFingerprintEndsTheCall() throws Exception {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        String offered = "sha-256 " + DtlsCertificate.generate(crypto, "named").fingerprint();
        try (SipTestAgent agent = registeredAgent("offer");
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread server = new Thread(() -> {
                try {
                    new DTLSServerProtocol().accept(new DtlsSrtpServer(crypto, DtlsCertificate.generate(crypto, "shown"),
                            null, 10_000), new SocketTransport(peer));
                } catch (IOException expected) {
                    // the agent refuses our certificate
                }
            }, "test-dtls-peer");
            server.setDaemon(true);
            server.start();
            agent.onIncoming(c -> c.incoming().answer());
            int kamailio = SecureTransportCallTest.phoneAccount("udp", null).serverPort();
            try (Sipp caller = Sipp.uac("uac_dtls_passive.xml", "127.0.0.1", "127.0.0.1:" + kamailio, "01086",
                    "@MPORT@", Integer.toString(peer.getLocalPort()), "@FINGERPRINT@", offered)) {
                TestCall call = await().atMost(Duration.ofSeconds(10)).until(agent.incoming::peek, c -> c != null);
                await().atMost(Duration.ofSeconds(15)).until(() -> call.end != null);
                assertThat(call.end.cause()).isEqualTo(CallEnd.Cause.MEDIA_ERROR);
                assertThat(call.end.detail()).contains("DTLS-SRTP handshake").contains("does not match the SDP fingerprint");
                assertThat(call.sip().srtp()).isFalse();
                caller.assertPassed(); // it was answered a=setup:active, and got our BYE
            }
        }
    }

    /** BouncyCastle's datagram transport on an unconnected socket: it answers whoever sent last. */
    private static final class SocketTransport implements DatagramTransport {
        private final DatagramSocket socket;
        private volatile java.net.SocketAddress last;

        SocketTransport(DatagramSocket socket) {
            this.socket = socket;
        }

        @Override
        public int getReceiveLimit() {
            return 1500;
        }

        @Override
        public int getSendLimit() {
            return 1200;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            socket.setSoTimeout(Math.max(1, waitMillis));
            DatagramPacket p = new DatagramPacket(buf, off, len);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return -1;
            }
            last = p.getSocketAddress();
            return p.getLength();
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (last != null) {
                socket.send(new DatagramPacket(buf, off, len, last));
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
