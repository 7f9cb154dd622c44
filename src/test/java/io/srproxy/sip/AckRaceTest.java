package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gov.nist.javax.sip.stack.SIPDialog;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import io.srproxy.testsupport.FreePorts;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's soak: an ACK that the stack handles between our 200 leaving and JAIN-SIP starting the
 * 200's retransmission timer (RestComm/jain-sip issue 140). The stack then resent the 200 for 64*T1
 * although the caller had ACKed, reported the ACK as never received, and the agent deleted the
 * dialog of a call that was up: no BYE could end it any more. {@link StallingNetworkLayer} holds the
 * sending thread in that gap; the caller is a plain UDP socket, so every packet can be counted.
 */
class AckRaceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration T1 = Duration.ofMillis(50); // the stack's ACK wait is 64*T1 = 3.2 s

    @Test
    void anAckThatOvertakesTheRetransmitTimerStopsTheRetransmissionsAndKeepsTheDialog() throws Exception {
        SipSettings quick = SipTestAgent.settings(FreePorts.tcpAndUdp(), "1000", "1234", "").withT1(T1);
        SipStackSetup.networkLayerForTests = StallingNetworkLayer.class.getName();
        SipTestAgent agent;
        try {
            agent = SipTestAgent.start(quick);
        } finally {
            SipStackSetup.networkLayerForTests = null;
        }
        try (agent; Caller caller = new Caller(agent.agent().port())) {
            agent.onIncoming(c -> {
                c.incoming().ringing();
                c.incoming().answer();
            });
            StallingNetworkLayer.arm();
            caller.invite();
            TestCall call = await().atMost(WAIT).until(agent.incoming::peek, c -> c != null && c.has("answered"));
            assertThat(StallingNetworkLayer.stalled.getCount()).as("the 200's send was held").isZero();
            // "answered" follows the ACK on the call's executor, after the 200's send returned
            assertThat(((SIPDialog) call.sip().dialog).isAckSeen()).as("the dialog counts the ACK").isTrue();
            int resentBeforeAnswered = caller.okAfterAck.get();

            // past the stack's ACK wait (64*T1): unfixed, it has given up on the ACK and the dialog is gone
            Thread.sleep(T1.toMillis() * 64 + 1500);
            assertThat(call.end).as("the call is still up").isNull();
            call.sip().hangUp();
            await().atMost(WAIT).until(() -> caller.byes.get() > 0); // our BYE still goes out in the dialog
            assertThat(caller.okAfterAck.get() - resentBeforeAnswered)
                    .as("200s resent once the call saw the ACK (one may have been under way)").isLessThanOrEqualTo(1);
        }
    }

    /** A caller on a UDP socket: INVITE, ACK to the first 200, 200 to a BYE; counts 200s that follow its ACK. */
    private static final class Caller implements AutoCloseable {
        private static final Pattern CONTACT = Pattern.compile("(?mi)^(?:Contact|m):\\s*<([^>]+)>");
        private static final Pattern TO = Pattern.compile("(?mi)^(?:To|t):(.*)$");

        final AtomicInteger okAfterAck = new AtomicInteger();
        final AtomicInteger byes = new AtomicInteger();
        private final DatagramSocket socket;
        private final int agentPort;
        private final String callId = "ackrace-" + System.nanoTime() + "@127.0.0.1";
        private final Thread reader;
        private final LinkedBlockingQueue<String> unexpected = new LinkedBlockingQueue<>();
        private volatile boolean acked;

        Caller(int agentPort) throws Exception {
            this.agentPort = agentPort;
            this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            socket.setSoTimeout(200);
            reader = new Thread(this::read, "ackrace-caller");
            reader.setDaemon(true);
            reader.start();
        }

        private int port() {
            return socket.getLocalPort();
        }

        void invite() throws Exception {
            String sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio " + (port() + 2) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
            send("INVITE sip:01086@127.0.0.1:" + agentPort + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK-ackrace-inv\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:2001@127.0.0.1:" + port() + ">;tag=ackrace\r\n"
                    + "To: <sip:01086@127.0.0.1:" + agentPort + ">\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:2001@127.0.0.1:" + port() + ">\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + sdp.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + sdp);
        }

        private void read() {
            byte[] buf = new byte[65_535];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException idle) {
                    continue;
                } catch (Exception closed) {
                    return;
                }
                try {
                    handle(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                } catch (Exception e) {
                    unexpected.add(e.toString());
                }
            }
        }

        private void handle(String msg) throws Exception {
            boolean inviteOk = msg.startsWith("SIP/2.0 200 ") && msg.contains(" INVITE\r\n");
            if (inviteOk && acked) {
                okAfterAck.incrementAndGet();
            } else if (inviteOk) {
                Matcher contact = CONTACT.matcher(msg);
                Matcher to = TO.matcher(msg);
                if (!contact.find() || !to.find()) {
                    throw new IllegalStateException("200 without Contact or To: " + msg);
                }
                send("ACK " + contact.group(1) + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK-ackrace-ack\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:2001@127.0.0.1:" + port() + ">;tag=ackrace\r\n"
                        + "To: " + to.group(1).trim() + "\r\n"
                        + "Call-ID: " + callId + "\r\n"
                        + "CSeq: 1 ACK\r\n"
                        + "Content-Length: 0\r\n\r\n");
                acked = true;
            } else if (msg.startsWith("BYE ")) {
                byes.incrementAndGet();
                StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
                for (String line : msg.split("\r\n")) {
                    String l = line.toLowerCase(java.util.Locale.ROOT);
                    if (l.startsWith("via:") || l.startsWith("v:") || l.startsWith("from:") || l.startsWith("f:")
                            || l.startsWith("to:") || l.startsWith("t:") || l.startsWith("call-id:")
                            || l.startsWith("i:") || l.startsWith("cseq:")) {
                        ok.append(line).append("\r\n");
                    }
                }
                send(ok.append("Content-Length: 0\r\n\r\n").toString());
            }
        }

        private void send(String msg) throws Exception {
            byte[] b = msg.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), agentPort));
        }

        @Override
        public void close() throws Exception {
            socket.close();
            reader.join(2000);
            assertThat(unexpected).as("the caller's own failures").isEmpty();
        }
    }
}
