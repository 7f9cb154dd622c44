package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native socket hands out datagrams read in batches (recvmmsg) one by one: each with its own
 * bytes, length and sender, in the order each sender sent them, whatever the batch boundaries; and
 * sends what its reader queues in batches (sendmmsg), whole and in order.
 */
class LinuxUdpSocketTest {

    @BeforeEach
    void linuxOnly() {
        requireNativeUdp();
    }

    /**
     * Skips where the native socket cannot exist (not 64-bit Linux); in CI on 64-bit Linux it must
     * load, so a broken JNA binding fails the tests instead of skipping them.
     */
    static void requireNativeUdp() {
        boolean linux64 = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && "64".equals(System.getProperty("sun.arch.data.model"));
        if (linux64 && System.getenv("CI") != null && !Boolean.getBoolean("srproxy.rtc.jdkUdp")) {
            assertThat(LinuxUdpSocket.available()).as("the native UDP socket loads on 64-bit Linux").isTrue();
        }
        Assumptions.assumeTrue(LinuxUdpSocket.available(), "native UDP sockets are 64-bit Linux only");
    }

    @Test
    void datagramsQueuedFromSeveralSendersComeOutWholeInOrderWithTheirSenders() throws Exception {
        int perSender = 3 * LinuxUdpSocket.BATCH + 5; // several full batches and a partial one
        LinuxUdpSocket socket = new LinuxUdpSocket(new InetSocketAddress("::", 0), false, 1 << 20, 500, 2048);
        try (AutoCloseable released = () -> closeAndRelease(socket);
             DatagramSocket v4 = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             DatagramSocket v6 = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            int port = socket.localPort();
            for (int i = 0; i < perSender; i++) { // queued before the first read: full batches
                send(v4, InetAddress.getByName("127.0.0.1"), port, i);
                send(v6, InetAddress.getByName("::1"), port, i);
            }
            Map<InetSocketAddress, List<Integer>> got = new HashMap<>();
            byte[] buf = new byte[2048];
            for (int n = 0; n < 2 * perSender; n++) {
                InetSocketAddress from = socket.receive(buf, buf.length);
                assertThat(from).as("datagram %d", n).isNotNull();
                int seq = buf[0] & 0xFF;
                assertThat(socket.length()).as("length of datagram %d", seq).isEqualTo(100 + seq);
                for (int k = 1; k < socket.length(); k++) {
                    assertThat(buf[k]).isEqualTo((byte) (seq + k));
                }
                got.computeIfAbsent(from, f -> new ArrayList<>()).add(seq);
            }
            InetSocketAddress fromV4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), v4.getLocalPort());
            InetSocketAddress fromV6 = new InetSocketAddress(InetAddress.getByName("::1"), v6.getLocalPort());
            assertThat(got).containsOnlyKeys(fromV4, fromV6); // v4-mapped senders reported as IPv4
            List<Integer> inOrder = java.util.stream.IntStream.range(0, perSender).boxed().toList();
            assertThat(got.get(fromV4)).isEqualTo(inOrder);
            assertThat(got.get(fromV6)).isEqualTo(inOrder);
            assertThat(got.keySet()).anySatisfy(a -> assertThat(a.getAddress()).isInstanceOf(Inet6Address.class));
            assertThat(socket.receive(buf, buf.length)).as("nothing left: the receive timeout").isNull();
        }
    }

    @Test
    void aDatagramLongerThanTheCallersBufferIsCutToIt() throws Exception {
        LinuxUdpSocket socket = new LinuxUdpSocket(new InetSocketAddress("127.0.0.1", 0), false, 1 << 20, 500, 2048);
        try (AutoCloseable released = () -> closeAndRelease(socket);
             DatagramSocket sender = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            send(sender, InetAddress.getByName("127.0.0.1"), socket.localPort(), 200); // 300 bytes
            send(sender, InetAddress.getByName("127.0.0.1"), socket.localPort(), 1);
            byte[] small = new byte[128];
            assertThat(socket.receive(small, small.length)).isNotNull();
            assertThat(socket.length()).isEqualTo(128);
            assertThat(socket.receive(small, small.length)).isNotNull();
            assertThat(socket.length()).as("the next datagram is whole").isEqualTo(101);
            assertThat(small[0]).isEqualTo((byte) 1);
        }
    }

    @Test
    void closingWakesABlockedReader() throws Exception {
        LinuxUdpSocket socket = new LinuxUdpSocket(new InetSocketAddress("127.0.0.1", 0), false, 1 << 20, 10_000, 2048);
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return socket.receive(new byte[2048], 2048);
            } catch (java.io.IOException e) {
                return e;
            }
        });
        Thread.sleep(200); // the reader is in recvmmsg by now (and if not, it finds the socket closed)
        socket.close();
        assertThat(reader.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(java.nio.channels.ClosedChannelException.class);
        socket.release();
    }

    @Test
    void sendsReachTheirDestination() throws Exception {
        LinuxUdpSocket socket = new LinuxUdpSocket(new InetSocketAddress("127.0.0.1", 0), false, 1 << 20, 500, 2048);
        try (AutoCloseable released = () -> closeAndRelease(socket);
             DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            peer.setSoTimeout(5000);
            ByteBuffer out = ByteBuffer.allocateDirect(16);
            out.put(new byte[] {7, 8, 9}).flip();
            socket.send(out, (InetSocketAddress) peer.getLocalSocketAddress());
            DatagramPacket p = new DatagramPacket(new byte[16], 16);
            peer.receive(p);
            assertThat(p.getLength()).isEqualTo(3);
            assertThat(p.getPort()).isEqualTo(socket.localPort());
        }
    }

    @Test
    void queuedSendsLeaveWhenTheQueueIsFullOrBeforeTheReaderReadsAgainInOrder() throws Exception {
        LinuxUdpSocket socket = new LinuxUdpSocket(new InetSocketAddress("::", 0), false, 1 << 20, 200, 2048);
        try (AutoCloseable released = () -> closeAndRelease(socket);
             DatagramSocket v4 = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             DatagramSocket v6 = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            v4.setSoTimeout(5000);
            v6.setSoTimeout(5000);
            InetSocketAddress to4 = (InetSocketAddress) v4.getLocalSocketAddress();
            InetSocketAddress to6 = (InetSocketAddress) v6.getLocalSocketAddress();
            int total = LinuxUdpSocket.SEND_BATCH + 8; // one full queue, then 8 more
            for (int i = 0; i < total; i++) {
                byte[] b = payload(i);
                socket.readerBatch().add(b, 0, b.length, i % 2 == 0 ? to4 : to6);
            }
            assertThat(socket.readerBatch().queued()).as("the full queue went out, 8 wait").isEqualTo(8);
            expectInOrder(v4, 0, LinuxUdpSocket.SEND_BATCH, socket.localPort());
            expectInOrder(v6, 1, LinuxUdpSocket.SEND_BATCH, socket.localPort());
            assertThat(socket.receive(new byte[2048], 2048)).as("nothing to read: the receive timeout").isNull();
            assertThat(socket.readerBatch().queued()).as("sent before the read").isZero();
            expectInOrder(v4, LinuxUdpSocket.SEND_BATCH, total, socket.localPort());
            expectInOrder(v6, LinuxUdpSocket.SEND_BATCH + 1, total, socket.localPort());
        }
    }

    @Test
    void aQueuedDatagramTheKernelRefusesIsCountedAndTheOthersGo() throws Exception {
        try (CountingSocket rig = CountingSocket.open()) {
            LinuxUdpSocket socket = rig.socket();
            DatagramSocket peer = rig.peer();
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            InetSocketAddress portZero = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0); // EINVAL
            byte[] a = payload(0);
            byte[] b = payload(1);
            byte[] c = payload(2);
            socket.readerBatch().add(a, 0, a.length, to);
            socket.readerBatch().add(b, 0, b.length, portZero);
            socket.readerBatch().add(c, 0, c.length, to);
            socket.readerBatch().flush();
            assertThat(rig.failed().get()).isEqualTo(1);
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            peer.receive(p);
            assertThat(p.getData()[0]).isEqualTo((byte) 0);
            peer.receive(p);
            assertThat(p.getData()[0]).as("the one after the refused one").isEqualTo((byte) 2);
        }
    }

    @Test
    void anIpv6DestinationOnAnIpv4SocketIsRefusedAndTheOthersGo() throws Exception {
        try (CountingSocket rig = CountingSocket.open()) {
            LinuxUdpSocket socket = rig.socket();
            DatagramSocket peer = rig.peer();
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), peer.getLocalPort());
            ByteBuffer out = ByteBuffer.allocateDirect(16);
            out.put(new byte[] {1, 2, 3}).flip();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.send(out, v6))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("IPv4 socket");
            byte[] a = payload(0);
            byte[] b = payload(1);
            socket.readerBatch().add(a, 0, a.length, v6);
            socket.readerBatch().add(b, 0, b.length, to);
            socket.readerBatch().flush();
            assertThat(rig.failed().get()).isEqualTo(1);
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            peer.receive(p);
            assertThat(p.getData()[0]).as("the IPv4 one").isEqualTo((byte) 1);
        }
    }

    /** A native socket on 127.0.0.1 that counts the queued sends refused, and a peer (5 s timeout) to send to. */
    private record CountingSocket(LinuxUdpSocket socket, java.util.concurrent.atomic.AtomicInteger failed, DatagramSocket peer)
            implements AutoCloseable {
        static CountingSocket open() throws Exception {
            java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
            LinuxUdpSocket socket = new LinuxUdpSocket(new InetSocketAddress("127.0.0.1", 0), false, 1 << 20, 200, 2048,
                    failed::incrementAndGet);
            DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
            peer.setSoTimeout(5000);
            return new CountingSocket(socket, failed, peer);
        }

        @Override
        public void close() {
            closeAndRelease(socket);
            peer.close();
        }
    }

    private static byte[] payload(int seq) {
        byte[] b = new byte[100 + seq];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (seq + k);
        }
        return b;
    }

    /** Receives the datagrams {@code first}, first + 2, ... below {@code end}, whole and from {@code port}. */
    private static void expectInOrder(DatagramSocket peer, int first, int end, int port) throws Exception {
        for (int seq = first; seq < end; seq += 2) {
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            peer.receive(p);
            assertThat(p.getPort()).isEqualTo(port);
            assertThat(p.getLength()).as("length of %d", seq).isEqualTo(100 + seq);
            assertThat(java.util.Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(payload(seq));
        }
    }

    private static void closeAndRelease(LinuxUdpSocket socket) {
        socket.close();
        socket.release();
    }

    private static void send(DatagramSocket from, InetAddress to, int port, int seq) throws Exception {
        byte[] b = payload(seq);
        from.send(new DatagramPacket(b, b.length, to, port));
    }
}
