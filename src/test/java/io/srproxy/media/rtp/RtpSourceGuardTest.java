package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import io.srproxy.testsupport.RunsAlone;

/** The source decisions alone: latch once, keep it across the same SDP, reopen on a new one; no allocation. */
@RunsAlone
class RtpSourceGuardTest {

    private final LongAdder total = new LongAdder();
    private final InetSocketAddress sdp = new InetSocketAddress("127.0.0.1", 4000);
    private final InetSocketAddress nat = new InetSocketAddress("127.0.0.1", 4100);
    private final InetSocketAddress stranger = new InetSocketAddress("127.0.0.2", 4000);
    private final InetSocketAddress privateSdp = new InetSocketAddress("192.168.1.10", 4000);

    private static byte[] rtp(int pt, long ssrc) {
        byte[] p = new byte[172];
        RtpHeader.writeFixed(p, 0, false, pt, 1, 160, ssrc);
        return p;
    }

    @Test
    void autoLatchesOnlyOntoTheSdpIpWhenThatIsPublicAfterTwoConsistentPackets() {
        RtpSourceGuard g = new RtpSourceGuard(RtpLatching.AUTO, total);
        g.setRemote(sdp, null, true);
        g.setPayloadTypes(0, 101);
        assertThat(g.onRtp(rtp(0, 1), 172, stranger)).isEqualTo(RtpSourceGuard.STRAY);
        assertThat(g.onRtp(rtp(0, 1), 172, stranger)).isEqualTo(RtpSourceGuard.STRAY);
        assertThat(g.onRtp(rtp(8, 1), 172, nat)).as("payload type not negotiated").isEqualTo(RtpSourceGuard.STRAY);
        assertThat(g.onRtp(rtp(0, 1), 172, nat)).isEqualTo(RtpSourceGuard.HOLD);
        assertThat(g.onRtp(rtp(0, 1), 172, nat)).isEqualTo(RtpSourceGuard.ACCEPT_MOVED);
        assertThat(g.target().rtp()).isEqualTo(nat);
        assertThat(g.onRtp(rtp(0, 1), 172, nat)).isEqualTo(RtpSourceGuard.ACCEPT);
        assertThat(g.onRtp(rtp(0, 1), 172, stranger)).isEqualTo(RtpSourceGuard.STRAY);
        assertThat(g.strays()).isEqualTo(4);
        assertThat(total.sum()).isEqualTo(4);
    }

    @Test
    void autoWithAPrivateSdpAddressLatchesOntoAnySourceButNotOntoAChangingSsrc() {
        RtpSourceGuard g = new RtpSourceGuard(RtpLatching.AUTO, total);
        g.setRemote(privateSdp, null, false);
        assertThat(g.onRtp(rtp(0, 1), 172, stranger)).isEqualTo(RtpSourceGuard.HOLD);
        assertThat(g.onRtp(rtp(0, 2), 172, stranger)).isEqualTo(RtpSourceGuard.HOLD);
        assertThat(g.onRtp(rtp(0, 2), 172, stranger)).isEqualTo(RtpSourceGuard.ACCEPT_MOVED);
        // RTCP from the latched IP latches the RTCP port once; from elsewhere it is a stray
        assertThat(g.onRtcpPort(new InetSocketAddress("127.0.0.2", 5001))).isTrue();
        assertThat(g.onRtcpPort(new InetSocketAddress("127.0.0.2", 5003))).isFalse();
        assertThat(g.onRtcpPort(new InetSocketAddress("127.0.0.3", 5001))).isFalse();
    }

    @Test
    void theSameSdpAgainKeepsTheLatchAndANewOneReopensIt() {
        RtpSourceGuard g = new RtpSourceGuard(RtpLatching.ON, total);
        g.setRemote(sdp, null, true);
        g.onRtp(rtp(0, 1), 172, stranger);
        assertThat(g.onRtp(rtp(0, 1), 172, stranger)).isEqualTo(RtpSourceGuard.ACCEPT_MOVED);
        assertThat(g.setRemote(new InetSocketAddress("127.0.0.1", 4000), null, true)).isFalse();
        assertThat(g.target().rtp()).isEqualTo(stranger);
        assertThat(g.onRtp(rtp(0, 1), 172, nat)).as("latched once").isEqualTo(RtpSourceGuard.STRAY);
        InetSocketAddress next = new InetSocketAddress("127.0.0.1", 4200);
        assertThat(g.setRemote(next, null, true)).isTrue();
        assertThat(g.target().rtp()).isEqualTo(next);
        assertThat(g.onRtp(rtp(0, 1), 172, next)).isEqualTo(RtpSourceGuard.ACCEPT);
        // heard from the SDP address itself: fixed, nothing latches any more
        assertThat(g.onRtp(rtp(0, 7), 172, nat)).isEqualTo(RtpSourceGuard.STRAY);
        assertThat(g.onRtp(rtp(0, 7), 172, nat)).isEqualTo(RtpSourceGuard.STRAY);
    }

    @Test
    void beforeAnySdpEverythingIsAStray() {
        RtpSourceGuard g = new RtpSourceGuard(RtpLatching.ON, total);
        assertThat(g.onRtp(rtp(0, 1), 172, sdp)).isEqualTo(RtpSourceGuard.STRAY);
        assertThat(g.onRtcpPort(sdp)).isFalse();
        assertThat(g.onRtcpOnRtpPort(sdp)).isFalse();
        assertThat(g.strays()).isEqualTo(3);
    }

    @Test
    void decidingAllocatesNothing() {
        RtpSourceGuard g = new RtpSourceGuard(RtpLatching.AUTO, total);
        g.setRemote(sdp, null, true);
        g.setPayloadTypes(0, 101);
        byte[] p = rtp(0, 1);
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 4000);
        long accepted = 0;
        for (int i = 0; i < 20_000; i++) { // warm up
            accepted += g.onRtp(p, 172, from) == RtpSourceGuard.ACCEPT ? 1 : 0;
            g.onRtp(p, 172, stranger);
            g.onRtcpOnRtpPort(from);
        }
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            accepted += g.onRtp(p, 172, from) == RtpSourceGuard.ACCEPT ? 1 : 0;
            g.onRtp(p, 172, stranger);
            g.onRtcpOnRtpPort(from);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(accepted).isEqualTo(120_000);
        assertThat(allocated).as("bytes allocated deciding 300000 packets").isLessThan(1024);
    }
}
