package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class RtpPortAllocatorTest {

    private final InetAddress lo = InetAddress.getLoopbackAddress();
    private final int base = 20000 + 2 * ThreadLocalRandom.current().nextInt(15000);

    @Test
    void handsOutEvenPairsAndTakesThemBack() throws IOException {
        RtpPortAllocator ports = new RtpPortAllocator(lo, base + 1, base + 6); // odd min: starts at base + 2
        RtpPortAllocator.PortPair p1 = ports.allocate();
        RtpPortAllocator.PortPair p2 = ports.allocate();
        assertThat(Set.of(p1.rtpPort(), p2.rtpPort())).containsExactlyInAnyOrder(base + 2, base + 4);
        assertThat(((InetSocketAddress) p1.rtcp().getLocalAddress()).getPort()).isEqualTo(p1.rtpPort() + 1);
        assertThat(ports.inUse()).isEqualTo(2);
        assertThatThrownBy(ports::allocate).isInstanceOf(IOException.class).hasMessageContaining("no free RTP port pair");
        ports.release(p1);
        ports.release(p1); // twice is harmless
        assertThat(ports.inUse()).isEqualTo(1);
        assertThat(ports.allocate().rtpPort()).isEqualTo(p1.rtpPort());
    }

    /** sip_local_ip=0.0.0.0 (the default): a call's RTP reaches IPv4 and IPv6 phones alike. */
    @Test
    void aWildcardPairSendsToIpv4AndIpv6Peers() throws IOException {
        RtpPortAllocator ports = new RtpPortAllocator(InetAddress.getByName("0.0.0.0"), base, base + 9);
        RtpPortAllocator.PortPair pair = ports.allocate();
        try (var v4 = java.nio.channels.DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             var v6 = java.nio.channels.DatagramChannel.open().bind(new InetSocketAddress("::1", 0))) {
            for (var peer : List.of(v4, v6)) {
                pair.rtp().send(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), peer.getLocalAddress());
                java.nio.ByteBuffer got = java.nio.ByteBuffer.allocate(8);
                peer.receive(got); // blocking: the datagram is already there on loopback
                assertThat(got.position()).isEqualTo(2);
            }
        } finally {
            ports.release(pair);
        }
    }

    @Test
    void anIpv6BindGivesIpv6Sockets() throws IOException {
        RtpPortAllocator ports = new RtpPortAllocator(InetAddress.getByName("::1"), base, base + 9);
        RtpPortAllocator.PortPair pair = ports.allocate();
        assertThat(((InetSocketAddress) pair.rtp().getLocalAddress()).getAddress()).isEqualTo(InetAddress.getByName("::1"));
        ports.release(pair);
    }

    @Test
    void theFirstPortOfAFreshAllocatorIsNotPredictable() throws IOException {
        // 100 pairs: all 8 fresh allocators starting at the range start by chance has probability 1e-16
        Set<Integer> firsts = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            RtpPortAllocator ports = new RtpPortAllocator(lo, base, base + 199);
            RtpPortAllocator.PortPair p = ports.allocate();
            firsts.add(p.rtpPort());
            ports.release(p);
        }
        assertThat(firsts).isNotEqualTo(Set.of(base)).hasSizeGreaterThan(1);
    }

    @Test
    void successiveAllocationsDoNotFollowEachOther() throws IOException {
        RtpPortAllocator ports = new RtpPortAllocator(lo, base, base + 199);
        List<Integer> got = new ArrayList<>();
        List<RtpPortAllocator.PortPair> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RtpPortAllocator.PortPair p = ports.allocate();
            held.add(p);
            got.add(p.rtpPort());
        }
        held.forEach(ports::release);
        // in order, each would be the previous + 2; at random (linear probing from a random pair)
        // that happens for all nine steps with probability below 10!/100^9
        boolean sequential = true;
        for (int i = 1; i < got.size(); i++) {
            sequential &= got.get(i) == got.get(i - 1) + 2;
        }
        assertThat(sequential).as("ports %s", got).isFalse();
        assertThat(got).allMatch(p -> p % 2 == 0 && p >= base && p <= base + 198).doesNotHaveDuplicates();
    }

    @Test
    void triesEveryPairOnceBeforeGivingUp() throws IOException {
        RtpPortAllocator ports = new RtpPortAllocator(lo, base, base + 19);
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            got.add(ports.allocate().rtpPort());
        }
        assertThat(got).hasSize(10);
        assertThatThrownBy(ports::allocate).isInstanceOf(IOException.class).hasMessageContaining("no free RTP port pair");
    }

    @Test
    void skipsAPortAnotherProcessHolds() throws IOException {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(lo, base + 1))) {
            RtpPortAllocator ports = new RtpPortAllocator(lo, base, base + 3);
            assertThat(ports.allocate().rtpPort()).isEqualTo(base + 2);
        }
    }

    @Test
    void refusesARangeWithoutAPair() {
        assertThatThrownBy(() -> new RtpPortAllocator(lo, 3001, 3001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3001..3001");
    }
}
