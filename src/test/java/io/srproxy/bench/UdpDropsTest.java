package io.srproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The harness's per-process UDP drop count, against a socket of this JVM made to overflow on loopback. */
class UdpDropsTest {

    @Test
    void countsWhatOverflowedThisProcesssSocket() throws Exception {
        assumeTrue(System.getenv("CI") != null || Files.exists(Path.of("/proc/net/udp")), "Linux's /proc is needed");
        long self = ProcessHandle.current().pid();
        try (DatagramChannel full = DatagramChannel.open(); DatagramChannel sender = DatagramChannel.open()) {
            full.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // the kernel doubles it: a few datagrams fit
            full.bind(new InetSocketAddress("127.0.0.1", 0));
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            UdpDrops.Snapshot before = UdpDrops.of(self);
            UdpDrops.HostCounters hostBefore = UdpDrops.host();
            ByteBuffer datagram = ByteBuffer.allocate(1000);
            for (int i = 0; i < 200; i++) { // never read: all but the first few are dropped
                datagram.clear();
                sender.send(datagram, full.getLocalAddress());
            }
            UdpDrops.Snapshot after = UdpDrops.of(self);
            long dropped = after.since(before);
            assertThat(dropped).as("datagrams dropped at this JVM's full socket").isBetween(150L, 200L);
            int port = ((InetSocketAddress) full.getLocalAddress()).getPort();
            assertThat(after.byPortSince(before)).as("drops per local port").containsOnlyKeys(port).containsEntry(port, dropped);
            assertThat(UdpDrops.host().minus(hostBefore).receiveBufferErrors()).as("host-wide").isGreaterThanOrEqualTo(dropped);
        }
    }
}
