package io.srproxy.rtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
        assertThat(p1.rtpPort()).isEqualTo(base + 2);
        assertThat(p2.rtpPort()).isEqualTo(base + 4);
        assertThat(((InetSocketAddress) p1.rtcp().getLocalAddress()).getPort()).isEqualTo(base + 3);
        assertThat(ports.inUse()).isEqualTo(2);
        assertThatThrownBy(ports::allocate).isInstanceOf(IOException.class).hasMessageContaining("no free RTP port pair");
        ports.release(p1);
        ports.release(p1); // twice is harmless
        assertThat(ports.inUse()).isEqualTo(1);
        assertThat(ports.allocate().rtpPort()).isEqualTo(base + 2);
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
