package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.media.rtp.Rtcp;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.RtpIoLoop;
import io.srproxy.media.rtp.RtpPortAllocator;
import io.srproxy.media.rtp.RtpSession;
import io.srproxy.media.rtp.RtpSessionListener;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DTLS-SRTP between two SIP-leg RTP sessions on loopback: the handshake shares the RTP and RTCP
 * ports with the media (RFC 7983), our client meets our server, the fingerprints are checked, and
 * a leg that is not keyed in time fails once.
 */
class DtlsSrtpLegTest {

    private final InetAddress lo = InetAddress.getLoopbackAddress();
    private ScheduledExecutorService timers;
    private RtpIoLoop io;
    private RtpPortAllocator ports;
    private DtlsHandshakes ours;
    private DtlsHandshakes theirs;

    @BeforeEach
    void setUp() {
        timers = Executors.newScheduledThreadPool(1);
        io = new RtpIoLoop("test-rtp-io");
        int base = 20000 + 2 * ThreadLocalRandom.current().nextInt(15000);
        ports = new RtpPortAllocator(lo, base, base + 20);
        ours = new DtlsHandshakes(timers, 5_000, 2, 4);
        theirs = new DtlsHandshakes(timers, 5_000, 2, 4);
    }

    @AfterEach
    void tearDown() {
        ours.close();
        theirs.close();
        io.close();
        timers.shutdownNow();
    }

    /** What a leg's listener heard. */
    private static final class Outcome implements DtlsSrtpLeg.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void secure(SrtpProfile profile) {
            events.add("secure " + profile);
        }

        @Override
        public void failed(String reason) {
            events.add("failed " + reason);
        }
    }

    private static final class Rtcps implements RtpSessionListener {
        final AtomicInteger reports = new AtomicInteger();

        @Override
        public void onRtcp(Rtcp.Report report) {
            reports.incrementAndGet();
        }
    }

    private RtpSession session(RtpSessionListener l) throws Exception {
        RtpSession s = RtpSession.open(ports, io, timers, System::nanoTime,
                new RtpSession.Options(Duration.ZERO, Duration.ofMillis(200)), l);
        s.setPayloadTypes(0);
        return s;
    }

    private static void pointAt(RtpSession from, RtpSession to) {
        from.setRemote(to.localRtpAddress(), to.localRtcpAddress(), false);
    }

    @Test
    void ourClientAndServerKeyRtpAndRtcpOnTheMediaPorts() throws Exception {
        Rtcps rtcpAtServer = new Rtcps();
        try (RtpSession client = session(null); RtpSession server = session(rtcpAtServer)) {
            pointAt(client, server);
            pointAt(server, client);
            AtomicInteger heard = new AtomicInteger();
            server.setPacketHandler((b, off, len) -> {
                if (RtpHeader.payloadLength(b, off, len) == 160 && b[off + RtpHeader.headerLength(b, off, len)] == 0x55) {
                    heard.incrementAndGet();
                }
            });
            Outcome c = new Outcome();
            Outcome s = new Outcome();
            DtlsSrtpLeg clientLeg = ours.open(DtlsSrtpLeg.Role.CLIENT, theirs.fingerprint(), false, client::sendHandshake, c);
            DtlsSrtpLeg serverLeg = theirs.open(DtlsSrtpLeg.Role.SERVER, ours.fingerprint(), false, server::sendHandshake, s);
            client.protect(clientLeg);
            server.protect(serverLeg);
            assertThat(client.isProtected()).as("not keyed before the handshake").isFalse();
            serverLeg.begin();
            clientLeg.begin();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.isProtected() && server.isProtected());
            assertThat(c.events).containsExactly("secure AES128_CM_HMAC_SHA1_80");
            assertThat(s.events).containsExactly("secure AES128_CM_HMAC_SHA1_80");
            byte[] payload = new byte[160];
            java.util.Arrays.fill(payload, (byte) 0x55);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                client.sendPayload(0, payload, 0, payload.length, 160, false);
                return heard.get() >= 5 && rtcpAtServer.reports.get() > 0; // SRTCP keyed by the RTCP port's own handshake
            });
        }
    }

    @Test
    void aCertificateThatDoesNotMatchTheFingerprintFailsTheLeg() throws Exception {
        try (RtpSession client = session(null); RtpSession server = session(null)) {
            pointAt(client, server);
            pointAt(server, client);
            Outcome c = new Outcome();
            Outcome s = new Outcome();
            String wrong = "sha-256 " + "AB:".repeat(31) + "AB";
            DtlsSrtpLeg clientLeg = ours.open(DtlsSrtpLeg.Role.CLIENT, theirs.fingerprint(), true, client::sendHandshake, c);
            DtlsSrtpLeg serverLeg = theirs.open(DtlsSrtpLeg.Role.SERVER, wrong, true, server::sendHandshake, s);
            client.protect(clientLeg);
            server.protect(serverLeg);
            serverLeg.begin();
            clientLeg.begin();
            await().atMost(Duration.ofSeconds(10)).until(() -> !s.events.isEmpty() && !c.events.isEmpty());
            assertThat(s.events).singleElement().asString().startsWith("failed DTLS-SRTP handshake (RTP) failed")
                    .contains("does not match the SDP fingerprint");
            assertThat(c.events).singleElement().asString().startsWith("failed");
            assertThat(server.isProtected() || client.isProtected()).isFalse();
        }
    }

    @Test
    void aLostLastFlightIsResentWhenThePeerResendsItsOwn() throws Exception {
        try (RtpSession client = session(null); RtpSession server = session(null)) {
            pointAt(client, server);
            pointAt(server, client);
            Outcome c = new Outcome();
            Outcome s = new Outcome();
            java.util.concurrent.atomic.AtomicBoolean dropped = new java.util.concurrent.atomic.AtomicBoolean();
            DtlsSrtpLeg.Sender lossy = (rtcp, b, off, len) -> b[off] == 20 && dropped.compareAndSet(false, true)
                    || server.sendHandshake(rtcp, b, off, len); // the server's ChangeCipherSpec + Finished, once
            DtlsSrtpLeg clientLeg = ours.open(DtlsSrtpLeg.Role.CLIENT, theirs.fingerprint(), true, client::sendHandshake, c);
            DtlsSrtpLeg serverLeg = theirs.open(DtlsSrtpLeg.Role.SERVER, ours.fingerprint(), true, lossy, s);
            client.protect(clientLeg);
            server.protect(serverLeg);
            serverLeg.begin();
            clientLeg.begin();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.isProtected() || !c.events.isEmpty());
            assertThat(dropped).as("the server's last flight was lost once").isTrue();
            assertThat(c.events).containsExactly("secure AES128_CM_HMAC_SHA1_80");
        }
    }

    @Test
    void aLegNotKeyedInTimeFailsOnceWithTheReason() throws Exception {
        try (DtlsHandshakes quick = new DtlsHandshakes(timers, 300, 1, 1); RtpSession server = session(null);
             RtpSession silent = session(null)) {
            pointAt(server, silent);
            Outcome s = new Outcome();
            DtlsSrtpLeg leg = quick.open(DtlsSrtpLeg.Role.SERVER, ours.fingerprint(), true, server::sendHandshake, s);
            server.protect(leg);
            leg.begin();
            await().atMost(Duration.ofSeconds(5)).until(() -> !s.events.isEmpty());
            Thread.sleep(300); // nothing more may come
            assertThat(s.events).containsExactly("failed DTLS-SRTP handshake not done within 300 ms");
        }
    }
}
