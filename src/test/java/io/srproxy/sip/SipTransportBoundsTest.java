package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.UdpSipServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a stranger on the network can make the SIP agent hold (issue 10): memory for a message
 * announced huge over TCP, threads and sockets for idle TCP connections, dialogs for stray
 * responses, and log lines. Loopback only; every flood is bounded in count and time.
 */
class SipTransportBoundsTest {

    private UdpSipServer server;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void startServerSocket() throws Exception {
        server = UdpSipServer.on(InetAddress.getLoopbackAddress());
        logged.start();
    }

    @AfterEach
    void stop() {
        root.detachAppender(logged);
        server.close();
    }

    private SipTestAgent agent(String extraConf) {
        return SipTestAgent.start(SipTestAgent.settings(server.port(), "1000", "1234", extraConf));
    }

    private static String options(String transport, String branch, int viaPort) {
        return "OPTIONS sip:1000@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + viaPort + ";branch=z9hG4bK" + branch + ";rport\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: " + branch + "@test\r\n"
                + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    private void optionsFromServerAnswered200(int port, String branch) throws IOException {
        server.received().clear();
        byte[] b = options("UDP", branch, server.port()).getBytes(StandardCharsets.UTF_8);
        server.socket().send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
        String answer = await().atMost(Duration.ofSeconds(5)).until(
                () -> server.received().stream().filter(m -> m.contains(branch)).findFirst().orElse(null), m -> m != null);
        assertThat(answer).startsWith("SIP/2.0 200");
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Reads until the agent closes the connection; false if it is still open after {@code wait}. */
    private static boolean closedByPeer(Socket s, Duration wait) throws IOException {
        s.setSoTimeout((int) wait.toMillis());
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aHugeContentLengthOverTcpIsRefusedBeforeAnyBodyIsBuffered() throws Exception {
        try (SipTestAgent agent = agent("")) {
            int port = agent.agent().port();
            long before = heapAfterGc();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), port); // from sip_svr's address: trusted
                    s.getOutputStream().write(("INVITE sip:1000@127.0.0.1 SIP/2.0\r\n"
                            + "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKbig" + i + "\r\n"
                            + "From: <sip:a@127.0.0.1>;tag=" + i + "\r\nTo: <sip:1000@127.0.0.1>\r\n"
                            + "Call-ID: big" + i + "@test\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                            + "Content-Type: application/sdp\r\nContent-Length: 100000000\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush(); // ... and then nothing: the body never comes
                    sockets.add(s);
                }
                for (Socket s : sockets) {
                    assertThat(closedByPeer(s, Duration.ofSeconds(5))).as("connection closed by srproxy").isTrue();
                }
                assertThat(agent.agent().refusedTooLarge()).isEqualTo(10);
                long grown = heapAfterGc() - before;
                assertThat(grown).as("heap growth after 10 stalled 100 MB bodies").isLessThan(50L << 20);
                optionsFromServerAnswered200(port, "afterbig");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aMessageUnderTheLimitStillPassesOverTcp() throws Exception {
        try (SipTestAgent agent = agent("[limits]\nsip_max_message_size=4096\n");
             Socket tcp = new Socket(InetAddress.getLoopbackAddress(), agent.agent().port())) {
            String body = "x".repeat(3000);
            String msg = options("TCP", "small", 5060).replace("Content-Length: 0",
                    "Content-Type: text/plain\r\nContent-Length: " + body.length()) + body;
            tcp.getOutputStream().write(msg.getBytes(StandardCharsets.US_ASCII));
            tcp.setSoTimeout(5000);
            byte[] buf = new byte[64];
            int n = tcp.getInputStream().read(buf);
            assertThat(new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII)).startsWith("SIP/2.0 200");
            assertThat(agent.agent().refusedTooLarge()).isZero();
        }
    }

    @Test
    void halfOpenTcpConnectionsCostNoThreadAndAreClosedWhenIdle() throws Exception {
        int count = 1000;
        try (SipTestAgent agent = agent("[limits]\nsip_tcp_connections=2000\nsip_tcp_connections_per_source=2000\n"
                + "sip_tcp_idle_timeout=1\n")) {
            int port = agent.agent().port();
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                    sockets.add(s);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.agent().openTcpConnections() == count
                        || agent.agent().openTcpConnections() == 0);
                int threadsWhileOpen = ManagementFactory.getThreadMXBean().getThreadCount();
                assertThat(threadsWhileOpen - threadsBefore).as("threads for " + count + " TCP connections")
                        .isLessThan(30);
                await().atMost(Duration.ofSeconds(15)).until(() -> agent.agent().openTcpConnections() == 0);
                assertThat(closedByPeer(sockets.get(0), Duration.ofSeconds(2))).isTrue();
                assertThat(closedByPeer(sockets.get(count - 1), Duration.ofSeconds(2))).isTrue();
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void tcpConnectionsOverTheLimitsOrFromUntrustedSourcesAreClosedAtOnce() throws Exception {
        try (SipTestAgent agent = agent("[limits]\nsip_tcp_connections_per_source=3\n")) {
            int port = agent.agent().port();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    sockets.add(new Socket(InetAddress.getLoopbackAddress(), port));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> agent.agent().openTcpConnections() == 3);
                Socket fourth = new Socket(InetAddress.getLoopbackAddress(), port);
                sockets.add(fourth);
                assertThat(closedByPeer(fourth, Duration.ofSeconds(5))).isTrue();
                assertThat(agent.agent().refusedTcpConnections()).isEqualTo(1);
                assertThat(closedByPeer(sockets.get(0), Duration.ofMillis(300))).as("admitted one stays open").isFalse();

                Socket untrusted = new Socket();
                untrusted.bind(new InetSocketAddress("127.0.0.2", 0));
                untrusted.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                sockets.add(untrusted);
                assertThat(closedByPeer(untrusted, Duration.ofSeconds(5))).isTrue();
                assertThat(agent.agent().refusedUntrusted()).isEqualTo(1);
                assertThat(agent.agent().openTcpConnections()).isEqualTo(3);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void strayResponsesFromAnUntrustedSourceLeaveNoDialogAndFewLogLines() throws Exception {
        try (SipTestAgent agent = agent("");
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            int port = agent.agent().port();
            int dialogsBefore = agent.agent().openDialogs();
            root.addAppender(logged);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int i = 0; i < 20_000 && System.nanoTime() < deadline; i++) {
                byte[] b = ("SIP/2.0 200 OK\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKstray" + i + "\r\n"
                        + "From: <sip:1000@127.0.0.1>;tag=ours" + i + "\r\nTo: <sip:1005@127.0.0.1>;tag=theirs" + i + "\r\n"
                        + "Call-ID: stray" + i + "@test\r\nCSeq: 1 INVITE\r\nContact: <sip:1005@127.0.0.2:5060>\r\n"
                        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                stranger.send(new DatagramPacket(b, b.length, target));
                if (i % 200 == 199) {
                    Thread.sleep(5); // bounded pace, so most reach the agent rather than a full socket buffer
                }
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> agent.agent().refusedStrayResponses() >= 1000);
            awaitSteady(agent.agent()::refusedStrayResponses); // late packets counted before the checks
            assertThat(agent.agent().openDialogs()).isEqualTo(dialogsBefore);
            assertThat(logged.list).as("log lines for 20 000 stray responses").hasSizeLessThan(20);
            optionsFromServerAnswered200(port, "afterstray");
        }
    }

    /** Waits until {@code counter} reads the same twice 500 ms apart. */
    private static void awaitSteady(LongSupplier counter) {
        long[] last = {-1};
        await().pollInterval(Duration.ofMillis(500)).atMost(Duration.ofSeconds(20)).until(() -> {
            long now = counter.getAsLong();
            boolean steady = now == last[0];
            last[0] = now;
            return steady;
        });
    }

    @Test
    void aMalformedRequestLogsOneLineAtMostAndNothingOfItsContentAboveDebug() throws Exception {
        try (SipTestAgent agent = agent("")) {
            int port = agent.agent().port();
            root.addAppender(logged);
            byte[] bad = ("INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad\r\n"
                    + "To: <sip:1000@127.0.0.1>\r\nCall-ID: secret-call-id@test\r\nCSeq: 1 INVITE\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            server.socket().send(new DatagramPacket(bad, bad.length, new InetSocketAddress("127.0.0.1", port)));
            optionsFromServerAnswered200(port, "afterbad"); // the bad one was handled before this answer
            List<ILoggingEvent> lines = List.copyOf(logged.list);
            assertThat(lines).hasSizeLessThanOrEqualTo(1);
            assertThat(lines).allSatisfy(e -> {
                assertThat(e.getFormattedMessage()).doesNotContain("secret-call-id", "\r", "\n");
                assertThat(e.getThrowableProxy()).isNull();
            });
        }
    }

    @Test
    void nothingIsLoggedPerPacketAtInfo() throws Exception {
        try (SipTestAgent agent = agent("")) {
            int port = agent.agent().port();
            root.addAppender(logged);
            assertThat(root.isInfoEnabled()).isTrue();
            for (int i = 0; i < 100; i++) {
                optionsFromServerAnswered200(port, "info" + i);
            }
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        }
    }
}
