package io.srproxy.rtc.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
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
            // b was told a wrong address (as behind NAT): it must answer where a really sends from
            b.setRemote(new InetSocketAddress(lo, 9), null, false);
            byte[] frame = new byte[160];
            a.sendPayload(0, frame, 0, 160, 160, true);
            await().atMost(Duration.ofSeconds(5)).until(() -> atB.get() == 1);
            assertThat(eb.seen).contains("latched " + a.localRtpAddress().getPort());
            assertThat(b.remoteRtpAddress()).isEqualTo(a.localRtpAddress());
            b.sendPayload(0, frame, 0, 160, 160, true);
            await().atMost(Duration.ofSeconds(5)).until(() -> atA.get() == 1);
            assertThat(b.receivedPackets()).isEqualTo(1);
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
