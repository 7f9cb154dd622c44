package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two RTP sessions talking over loopback. */
class RtpSessionTest {

    private final InetAddress lo = InetAddress.getLoopbackAddress();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private ScheduledExecutorService timers;
    private RtpIoLoop io;
    private RtpPortAllocator ports;

    @BeforeEach
    void setUp() {
        timers = Executors.newScheduledThreadPool(1);
        io = new RtpIoLoop("test-rtp-io");
        int base = 20000 + 2 * ThreadLocalRandom.current().nextInt(15000);
        ports = new RtpPortAllocator(lo, base, base + 200);
    }

    @AfterEach
    void tearDown() {
        io.close();
        timers.shutdownNow();
    }

    private static final class Events implements RtpSessionListener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<Rtcp.Report> reports = new CopyOnWriteArrayList<>();

        @Override
        public void onNoMedia(long silentMillis) {
            seen.add("no-media");
        }

        @Override
        public void onTelephoneEvent(char digit, int durationMillis) {
            seen.add("dtmf " + digit + " " + durationMillis);
        }

        @Override
        public void onLatched(InetSocketAddress from) {
            seen.add("latched " + from.getPort());
        }

        @Override
        public void onRtcp(Rtcp.Report report) {
            reports.add(report);
        }
    }

    private RtpSession open(Events events, Duration rtcp) throws Exception {
        return RtpSession.open(ports, io, timers, clock::get, new RtpSession.Options(Duration.ofSeconds(30), rtcp), events);
    }

    private RtpSession open(RtpLatching latching, Events events) throws Exception {
        return RtpSession.open(ports, io, timers, clock::get,
                new RtpSession.Options(Duration.ofSeconds(30), Duration.ofSeconds(60), latching), events);
    }

    private static final long PEER_SSRC = 0x1111;
    private static final long STRANGER_SSRC = 0x6666;

    /** A UDP socket that sends PCMU frames with its own SSRC and counts what it hears. */
    private static final class Endpoint implements AutoCloseable {
        final DatagramSocket socket;
        final long ssrc;
        int seq;

        Endpoint(String ip, long ssrc) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0));
            socket.setSoTimeout(300);
            this.ssrc = ssrc;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(RtpSession to, int count) throws Exception {
            for (int i = 0; i < count; i++) {
                byte[] p = new byte[12 + 160];
                RtpHeader.writeFixed(p, 0, false, 0, seq, 160L * seq, ssrc);
                seq++;
                socket.send(new DatagramPacket(p, p.length, to.localRtpAddress()));
            }
        }

        /** RTP packets that arrive before a 300 ms silence. */
        int drain() throws Exception {
            int n = 0;
            byte[] buf = new byte[2048];
            while (true) {
                try {
                    socket.receive(new DatagramPacket(buf, buf.length));
                    n++;
                } catch (SocketTimeoutException quiet) {
                    return n;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static List<Long> ssrcsHeardBy(RtpSession session) {
        List<Long> heard = new CopyOnWriteArrayList<>();
        session.setPacketHandler((buf, off, len) -> heard.add(RtpHeader.ssrc(buf, off)));
        return heard;
    }

    private static void sendFrames(RtpSession session, int count) {
        byte[] frame = new byte[160];
        for (int i = 0; i < count; i++) {
            session.sendPayload(0, frame, 0, 160, 160, i == 0);
        }
    }

    @Test
    void aStrangerOnAnotherAddressIsNeitherHeardNorAnswered() throws Exception {
        try (RtpSession s = open(RtpLatching.AUTO, new Events());
             Endpoint peer = new Endpoint("127.0.0.1", PEER_SSRC);
             Endpoint stranger = new Endpoint("127.0.0.2", STRANGER_SSRC)) {
            List<Long> heard = ssrcsHeardBy(s);
            s.setPayloadTypes(0, 101);
            s.setRemote(peer.address(), null, true);
            for (int round = 0; round < 10; round++) {
                stranger.send(s, 2);
                peer.send(s, 2);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 20 && s.strayPackets() == 20);
            sendFrames(s, 5);
            assertThat(peer.drain()).isEqualTo(5);
            assertThat(stranger.drain()).isZero();
            assertThat(heard).containsOnly(PEER_SSRC);
            assertThat(s.remoteRtpAddress()).isEqualTo(peer.address());
        }
    }

    @Test
    void withLatchingOnAStrangerBeforeTheAnswerIsDroppedAndThePeerWinsOverAnEarlyLatch() throws Exception {
        Events events = new Events();
        try (RtpSession s = open(RtpLatching.ON, events);
             Endpoint peer = new Endpoint("127.0.0.1", PEER_SSRC);
             Endpoint stranger = new Endpoint("127.0.0.2", STRANGER_SSRC)) {
            List<Long> heard = ssrcsHeardBy(s);
            // sprayed while the call rings: no SDP yet, nothing is taken from anyone
            stranger.send(s, 10);
            await().atMost(Duration.ofSeconds(5)).until(() -> s.strayPackets() == 10);
            s.setPayloadTypes(0, 101);
            s.setRemote(peer.address(), null, true);
            for (int round = 0; round < 10; round++) {
                peer.send(s, 1);
                stranger.send(s, 2);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 10 && s.strayPackets() == 30);
            sendFrames(s, 3);
            assertThat(peer.drain()).isEqualTo(3);
            assertThat(stranger.drain()).isZero();
            assertThat(heard).containsOnly(PEER_SSRC);

            // a new answer names the peer again, but a stranger beats it: latching ON takes the
            // first consistent source, yet the SDP address, once heard, wins for good
            heard.clear();
            Endpoint moved = new Endpoint("127.0.0.1", PEER_SSRC);
            try (moved) {
                s.setRemote(moved.address(), null, true);
                stranger.send(s, 3);
                await().atMost(Duration.ofSeconds(5)).until(() -> events.seen.contains("latched " + stranger.address().getPort()));
                moved.send(s, 1);
                await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains(PEER_SSRC));
                assertThat(s.remoteRtpAddress()).isEqualTo(moved.address());
                heard.clear();
                stranger.send(s, 5);
                moved.send(s, 5);
                await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 5);
                sendFrames(s, 2);
                assertThat(moved.drain()).isEqualTo(2);
                assertThat(heard).containsOnly(PEER_SSRC);
            }
        }
    }

    @Test
    void withLatchingOffOnlyTheExactSdpAddressIsHeard() throws Exception {
        Events events = new Events();
        try (RtpSession s = open(RtpLatching.OFF, events);
             Endpoint peer = new Endpoint("127.0.0.1", PEER_SSRC);
             Endpoint samePortless = new Endpoint("127.0.0.1", STRANGER_SSRC);
             Endpoint stranger = new Endpoint("127.0.0.2", STRANGER_SSRC)) {
            List<Long> heard = ssrcsHeardBy(s);
            s.setRemote(peer.address(), null, true);
            // another port on the peer's own IP would be latched under auto; not under off
            samePortless.send(s, 5);
            stranger.send(s, 5);
            peer.send(s, 5);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 5 && s.strayPackets() == 10);
            sendFrames(s, 2);
            assertThat(peer.drain()).isEqualTo(2);
            assertThat(samePortless.drain()).isZero();
            assertThat(stranger.drain()).isZero();
            assertThat(heard).containsOnly(PEER_SSRC);
            assertThat(events.seen).noneMatch(e -> e.startsWith("latched"));
        }
    }

    @Test
    void strayRtcpIsNeitherReportedNorAnsweredAndReportsGoToTheSdpAddress() throws Exception {
        Events events = new Events();
        try (RtpSession s = RtpSession.open(ports, io, timers, clock::get,
                new RtpSession.Options(Duration.ofSeconds(30), Duration.ofMillis(100), RtpLatching.AUTO), events);
             Endpoint peerRtp = new Endpoint("127.0.0.1", PEER_SSRC);
             Endpoint peerRtcp = new Endpoint("127.0.0.1", PEER_SSRC);
             Endpoint stranger = new Endpoint("127.0.0.2", STRANGER_SSRC)) {
            s.setRemote(peerRtp.address(), peerRtcp.address(), false);
            byte[] rr = new byte[32];
            int n = Rtcp.writeReceiverReport(rr, 0, STRANGER_SSRC, null);
            stranger.socket.send(new DatagramPacket(rr, n, s.localRtcpAddress()));
            stranger.socket.send(new DatagramPacket(rr, n, s.localRtpAddress()));
            await().atMost(Duration.ofSeconds(5)).until(() -> s.strayPackets() == 2);
            // our reports keep going to the peer's RTCP port, never to the stranger
            peerRtcp.socket.setSoTimeout(5000);
            peerRtcp.socket.receive(new DatagramPacket(new byte[2048], 2048));
            assertThat(stranger.drain()).isZero();
            assertThat(events.reports).isEmpty();
            int m = Rtcp.writeReceiverReport(rr, 0, PEER_SSRC, null);
            peerRtcp.socket.send(new DatagramPacket(rr, m, s.localRtcpAddress()));
            await().atMost(Duration.ofSeconds(5)).until(() -> events.reports.size() == 1);
            assertThat(events.reports.get(0).senderSsrc()).isEqualTo(PEER_SSRC);
        }
    }

    @Test
    void packetsFlowAndTheReceiverLatchesOntoTheRealSource() throws Exception {
        Events ea = new Events();
        Events eb = new Events();
        try (RtpSession a = open(ea, Duration.ofSeconds(5)); RtpSession b = open(eb, Duration.ofSeconds(5))) {
            assertThat(a.localRtpAddress().getPort() % 2).isZero();
            assertThat(a.localRtcpAddress().getPort()).isEqualTo(a.localRtpAddress().getPort() + 1);
            AtomicInteger atB = new AtomicInteger();
            AtomicInteger atA = new AtomicInteger();
            b.setPacketHandler((buf, off, len) -> {
                assertThat(RtpHeader.payloadType(buf, off)).isZero();
                atB.incrementAndGet();
            });
            a.setPacketHandler((buf, off, len) -> atA.incrementAndGet());
            a.setRemote(b.localRtpAddress(), null, false);
            // b was told a wrong port (as behind a NAT that rewrites ports): it must answer where a
            // really sends from, once two packets confirmed that source
            b.setRemote(new InetSocketAddress(lo, 9), null, false);
            byte[] frame = new byte[160];
            a.sendPayload(0, frame, 0, 160, 160, true);
            a.sendPayload(0, frame, 0, 160, 160, false);
            await().atMost(Duration.ofSeconds(5)).until(() -> atB.get() == 1);
            assertThat(eb.seen).contains("latched " + a.localRtpAddress().getPort());
            assertThat(b.remoteRtpAddress()).isEqualTo(a.localRtpAddress());
            b.sendPayload(0, frame, 0, 160, 160, true);
            await().atMost(Duration.ofSeconds(5)).until(() -> atA.get() == 1);
            assertThat(b.receivedPackets()).isEqualTo(1);
            assertThat(b.strayPackets()).isZero();
        }
        assertThat(ports.inUse()).isZero();
    }

    @Test
    void telephoneEventsAreSentAndReportedOnce() throws Exception {
        Events eb = new Events();
        try (RtpSession a = open(new Events(), Duration.ofSeconds(5)); RtpSession b = open(eb, Duration.ofSeconds(5))) {
            a.setRemote(b.localRtpAddress(), null, false);
            b.setRemote(a.localRtpAddress(), null, false);
            a.setTelephoneEvent(101, 8000, 8000);
            b.setTelephoneEvent(101, 8000, 8000);
            AtomicInteger audio = new AtomicInteger();
            b.setPacketHandler((buf, off, len) -> audio.incrementAndGet());
            a.sendTelephoneEvent('5', 100);
            await().atMost(Duration.ofSeconds(5)).until(() -> eb.seen.contains("dtmf 5 100"));
            a.sendTelephoneEvent('#', 200);
            await().atMost(Duration.ofSeconds(5)).until(() -> eb.seen.contains("dtmf # 200"));
            // three end packets each, yet one report per digit; none reached the audio handler
            await().during(Duration.ofMillis(300)).until(() -> eb.seen.stream().filter(s -> s.startsWith("dtmf")).count() == 2);
            assertThat(audio.get()).isZero();
        }
    }

    @Test
    void noMediaIsReportedOnceAfterTheTimeoutOfTheInjectedClock() throws Exception {
        Events ea = new Events();
        try (RtpSession a = open(ea, Duration.ofSeconds(5)); RtpSession b = open(new Events(), Duration.ofSeconds(5))) {
            a.setRemote(b.localRtpAddress(), null, false);
            clock.addAndGet(Duration.ofSeconds(29).toNanos());
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> !ea.seen.contains("no-media"));
            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            await().atMost(Duration.ofSeconds(3)).until(() -> ea.seen.contains("no-media"));
            await().during(Duration.ofMillis(1500)).until(() -> ea.seen.stream().filter("no-media"::equals).count() == 1);
        }
    }

    @Test
    void senderAndReceiverReportsGoToThePeer() throws Exception {
        Events eb = new Events();
        Events ea = new Events();
        try (RtpSession a = open(ea, Duration.ofMillis(100)); RtpSession b = open(eb, Duration.ofMillis(100))) {
            a.setRemote(b.localRtpAddress(), null, false);
            b.setRemote(a.localRtpAddress(), null, false);
            byte[] frame = new byte[160];
            for (int i = 0; i < 5; i++) {
                a.sendPayload(0, frame, 0, 160, 160, i == 0);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> eb.reports.stream().anyMatch(r -> r.type() == Rtcp.SR && r.packetCount() == 5));
            Rtcp.Report sr = eb.reports.stream().filter(r -> r.type() == Rtcp.SR).reduce((x, y) -> y).orElseThrow();
            assertThat(sr.octetCount()).isEqualTo(5 * 160);
            // b only receives: its RR reports on a's stream
            await().atMost(Duration.ofSeconds(5)).until(() -> ea.reports.stream().anyMatch(r -> r.type() == Rtcp.RR
                    && r.block() != null && r.block().cumulativeLost() == 0 && r.block().ssrc() == sr.senderSsrc()));
        }
    }
}
