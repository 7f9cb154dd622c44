package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.UdpSipServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the agent puts on the wire, read at a plain UDP socket standing where the SIP server would
 * be (loopback): Via with rport, public_ip in Via/Contact/SDP, OPTIONS keepalive; and OPTIONS
 * answered 200 over UDP and TCP.
 */
class SipAgentWireTest {

    private UdpSipServer server;

    @BeforeEach
    void listen() {
        server = UdpSipServer.on(InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() {
        server.close();
    }

    private SipSettings settings(String extra) {
        return SipTestAgent.settings(server.port(), "1000", "1234", extra);
    }

    private String awaitMessage(String startsWith) {
        return server.awaitMessage(startsWith);
    }

    @Test
    void aClusterNodeRegistersItsOwnInstanceId() throws Exception {
        String urn = SipAgent.instanceUrn("app", "node-a");
        assertThat(urn).isEqualTo(SipAgent.instanceUrn("app", "node-a")).isNotEqualTo(SipAgent.instanceUrn("app", "node-b"))
                .matches("urn:uuid:[0-9a-f-]{36}");
        try (SipTestAgent agent = SipTestAgent.start(settings(""))) {
            agent.agent().requests().registerInstance(urn);
            agent.register();
            String register = awaitMessage("REGISTER ");
            assertThat(register).contains("Contact: <sip:1000@127.0.0.1:" + agent.agent().port() + ">;+sip.instance=\"<" + urn + ">\"");
        }
    }

    @Test
    void publicIpGoesIntoViaContactAndSdpAndViaAsksForRport() throws Exception {
        try (SipTestAgent agent = SipTestAgent.start(settings("[global]\npublic_ip=203.0.113.10\n"))) {
            agent.register();
            String register = awaitMessage("REGISTER ");
            assertThat(register).containsPattern("Via: SIP/2.0/UDP 203\\.0\\.113\\.10:" + agent.agent().port() + ";.*rport")
                    .contains("Contact: <sip:1000@203.0.113.10:" + agent.agent().port() + ">");
            agent.call("1005", "Alice", Map.of("X-SRProxy-Data", "abc123"));
            String invite = awaitMessage("INVITE ");
            assertThat(invite).contains("c=IN IP4 203.0.113.10", "From: \"Alice\" <sip:1000@127.0.0.1:",
                    "X-SRProxy-Data: abc123", "m=audio ", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000");
        }
    }

    @Test
    void keepaliveOptionsGoToTheServer() {
        SipSettings s = settings("");
        SipSettings fast = new SipSettings(s.bindAddress(), s.localPort(), s.serverHost(), s.serverPort(), s.publicIp(),
                s.trusted(), s.account(), s.password(), s.prefix(), s.registerExpires(), Duration.ofMillis(200),
                s.noAnswer(), s.retryMin(), s.retryMax(), s.authRetry(), s.t1(), s.rtpPortMin(), s.rtpPortMax(),
                s.codecs(), s.rtpTimeoutSeconds());
        try (SipTestAgent agent = SipTestAgent.start(fast)) {
            String options = awaitMessage("OPTIONS sip:127.0.0.1:" + server.port());
            assertThat(options).contains("CSeq: 1 OPTIONS");
        }
    }

    /**
     * A SIP server's dialog keep-alive (in-dialog OPTIONS, as Kamailio's dialog module sends) for a
     * dialog we do not have, e.g. a node restarted on the dead node's address: 481, so the server
     * ends the dialog instead of keeping a dead call up. (200 for a live dialog: ClusterNodeLossIT.)
     */
    @Test
    void aKeepaliveForADialogWeDoNotHaveGets481() throws Exception {
        try (SipTestAgent agent = SipTestAgent.start(settings(""))) {
            int port = agent.agent().port();
            byte[] udp = ("OPTIONS sip:1000@127.0.0.1:" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + server.port() + ";branch=z9hG4bKka1;rport\r\n"
                    + "From: <sip:sipp@127.0.0.1>;tag=caller\r\nTo: <sip:07001@127.0.0.1>;tag=gone\r\nCall-ID: ka1@test\r\n"
                    + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
            server.socket().send(new DatagramPacket(udp, udp.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            assertThat(awaitMessage("SIP/2.0 ")).startsWith("SIP/2.0 481").contains("Call-ID: ka1@test");
        }
    }

    @Test
    void optionsAreAnswered200OverUdpAndTcp() throws Exception {
        try (SipTestAgent agent = SipTestAgent.start(settings(""))) {
            int port = agent.agent().port();
            String options = "OPTIONS sip:1000@127.0.0.1:" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/%s 127.0.0.1:" + server.port() + ";branch=z9hG4bK%s;rport\r\n"
                    + "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: %s@test\r\n"
                    + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
            byte[] udp = String.format(options, "UDP", "udp1", "u1").getBytes(StandardCharsets.UTF_8);
            server.socket().send(new DatagramPacket(udp, udp.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            assertThat(awaitMessage("SIP/2.0 ")).startsWith("SIP/2.0 200");

            try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = tcp.getOutputStream();
                out.write(String.format(options, "TCP", "tcp1", "t1").getBytes(StandardCharsets.UTF_8));
                out.flush();
                tcp.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(tcp.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).startsWith("SIP/2.0 200");
            }
        }
    }
}
