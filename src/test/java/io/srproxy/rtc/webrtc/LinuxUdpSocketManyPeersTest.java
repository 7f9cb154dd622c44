package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A port shared by many browsers: the native socket keeps every sender's address object and every
 * destination's encoded address, so with hundreds of peers interleaved packet by packet a read or
 * a send still allocates nothing. (Caches of 1 024 senders and 256 destinations, direct mapped,
 * made a new address for a large share of the datagrams at 400 calls.)
 */
class LinuxUdpSocketManyPeersTest {

    private static final int PEERS = 600;
    private static final int CHUNK = 50; // datagrams in flight at once: well inside a default receive buffer
    private static final int ROUNDS = 5;
    private static final long BUDGET = 4096; // a few stray objects, far below one per datagram

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final List<DatagramChannel> peers = new ArrayList<>();
    private final List<InetSocketAddress> peerAddresses = new ArrayList<>();
    private LinuxUdpSocket socket;
    private InetSocketAddress socketAddress;

    @BeforeEach
    void open() throws Exception {
        LinuxUdpSocketTest.requireNativeUdp();
        threads.setThreadAllocatedMemoryEnabled(true);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        socket = new LinuxUdpSocket(new InetSocketAddress(loopback, 0), false, 1 << 20, 2000, 2048);
        socketAddress = new InetSocketAddress(loopback, socket.localPort());
        for (int i = 0; i < PEERS; i++) {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(loopback, 0));
            peers.add(ch);
            peerAddresses.add((InetSocketAddress) ch.getLocalAddress()); // one object per peer, as a transport keeps
        }
    }

    @AfterEach
    void close() throws Exception {
        for (DatagramChannel ch : peers) {
            ch.close();
        }
        if (socket != null) {
            socket.close();
            socket.release();
        }
    }

    @Test
    void readingFromSixHundredInterleavedSendersAllocatesNothingPerDatagram() throws Exception {
        byte[] buf = new byte[2048];
        ByteBuffer out = ByteBuffer.allocate(172);
        long allocated = 0;
        int read = 0;
        for (int round = 0; round <= ROUNDS; round++) { // round 0 meets each sender for the first time
            for (int from = 0; from < PEERS; from += CHUNK) {
                for (int p = from; p < from + CHUNK; p++) {
                    out.clear();
                    peers.get(p).send(out, socketAddress);
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                int got = 0;
                for (int k = 0; k < CHUNK; k++) {
                    if (socket.receive(buf, buf.length) != null) {
                        got++;
                    }
                }
                long after = threads.getCurrentThreadAllocatedBytes();
                assertThat(got).as("datagrams read in round %d", round).isEqualTo(CHUNK);
                if (round > 0) {
                    allocated += after - before;
                    read += CHUNK;
                }
            }
        }
        assertThat(allocated).as("bytes allocated reading %d datagrams from %d interleaved senders", read, PEERS)
                .isLessThan(BUDGET);
    }

    @Test
    void sendingToSixHundredInterleavedDestinationsAllocatesNothingPerDatagram() throws Exception {
        ByteBuffer data = ByteBuffer.allocateDirect(172);
        byte[] packet = new byte[172];
        MuxSocket.SendBatch batch = socket.newSendBatch();
        long allocated = 0;
        for (int round = 0; round <= ROUNDS; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (InetSocketAddress to : peerAddresses) {
                data.clear();
                socket.send(data, to);
                batch.add(packet, 0, packet.length, to);
            }
            batch.flush();
            if (round > 0) {
                allocated += threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertThat(drainPeers()).as("datagrams the peers got in round %d", round).isEqualTo(2 * PEERS);
        }
        assertThat(allocated).as("bytes allocated sending %d datagrams to %d interleaved destinations",
                2L * ROUNDS * PEERS, PEERS).isLessThan(BUDGET);
    }

    @Test
    void eachOfSixHundredSendersIsReportedWithItsOwnAddress() throws Exception {
        byte[] buf = new byte[2048];
        ByteBuffer out = ByteBuffer.allocate(4);
        for (int round = 0; round < 2; round++) {
            for (int from = 0; from < PEERS; from += CHUNK) {
                for (int p = from; p < from + CHUNK; p++) {
                    out.clear().putInt(0, p);
                    peers.get(p).send(out, socketAddress);
                }
                for (int k = 0; k < CHUNK; k++) {
                    InetSocketAddress sender = socket.receive(buf, buf.length);
                    int p = ByteBuffer.wrap(buf, 0, 4).getInt();
                    assertThat(sender).as("sender of peer %d's datagram", p).isEqualTo(peerAddresses.get(p));
                }
            }
        }
    }

    /** Empties the peers' receive buffers: the datagrams that came from the socket. */
    private int drainPeers() throws Exception {
        ByteBuffer in = ByteBuffer.allocate(2048);
        int got = 0;
        for (DatagramChannel ch : peers) {
            ch.configureBlocking(false);
            while (true) {
                in.clear();
                InetSocketAddress from = (InetSocketAddress) ch.receive(in);
                if (from == null) {
                    break;
                }
                if (from.getPort() == socketAddress.getPort()) {
                    got++;
                }
            }
        }
        return got;
    }
}
