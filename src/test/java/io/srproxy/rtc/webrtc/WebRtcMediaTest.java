package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.rtc.RtcEvent;
import io.srproxy.rtc.RtcException;
import io.srproxy.rtc.RtcService;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.srproxy.testsupport.RunsAlone;

/**
 * The WebRTC media path end to end with Java peers (ICE checks, a BouncyCastle DTLS client,
 * SRTP) on loopback: forwarding as one continuous stream, PLI passed on, the two-member limit,
 * bad input counted and dropped without disturbing the call, and consent expiry on a moved clock.
 */
@RunsAlone
class WebRtcMediaTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private RtcService rtc;
    private JavaWebRtcPeer alice;
    private JavaWebRtcPeer bob;
    private WebRtcEndpoint.Accepted aliceSide;
    private WebRtcEndpoint.Accepted bobSide;
    private final CopyOnWriteArrayList<RtcEvent> aliceEvents = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<String> states = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        rtc = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 2, clock::get, Duration.ofSeconds(5), false));
        alice = new JavaWebRtcPeer(SrtpProfile.AES128_CM_HMAC_SHA1_80.id);
        bob = new JavaWebRtcPeer(SrtpProfile.AEAD_AES_128_GCM.id);
        aliceSide = rtc.webrtc().accept(alice.offer(), (t, s, r) -> states.add("alice " + s + " " + r));
        bobSide = rtc.webrtc().accept(bob.offer(), (t, s, r) -> states.add("bob " + s + " " + r));
        rtc.channels().join("call", "alice", aliceSide.transport(), aliceEvents::add);
        rtc.channels().join("call", "bob", bobSide.transport(), e -> {});
        alice.connect(aliceSide.answerSdp());
        bob.connect(bobSide.answerSdp());
        await().atMost(Duration.ofSeconds(5)).until(() -> aliceSide.transport().state() == WebRtcTransport.State.CONNECTED
                && bobSide.transport().state() == WebRtcTransport.State.CONNECTED);
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
        rtc.close();
    }

    private static long answerSsrc(String answer, String kind) {
        Matcher m = Pattern.compile("m=" + kind + "[\\s\\S]*?a=ssrc:(\\d+) cname").matcher(answer);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void audioIsForwardedAsOneContinuousStreamAcrossASourceSwitch() throws Exception {
        byte[] payload = new byte[60];
        for (int i = 0; i < 20; i++) {
            payload[0] = (byte) i;
            alice.sendRtp(111, 100 + i, 1000 + 960L * i, 0x1111, payload, false);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> bob.rtpReceived.get() == 20);
        for (int i = 0; i < 20; i++) {
            payload[0] = (byte) (20 + i);
            alice.sendRtp(111, 5000 + i, 777_000 + 960L * i, 0x2222, payload, false);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> bob.rtpReceived.get() == 40);

        long ssrc = answerSsrc(bobSide.answerSdp(), "audio");
        List<byte[]> got = bob.received.stream().sorted((x, y) -> Integer.compare(x[12], y[12])).toList();
        for (int i = 0; i < 40; i++) {
            byte[] p = got.get(i);
            assertThat(RtpHeader.ssrc(p, 0)).isEqualTo(ssrc);
            assertThat(RtpHeader.payloadType(p, 0)).isEqualTo(111);
            assertThat(p[12]).isEqualTo((byte) i);
            if (i > 0) {
                byte[] prev = got.get(i - 1);
                assertThat(RtpHeader.sequence(p, 0)).isEqualTo((RtpHeader.sequence(prev, 0) + 1) & 0xFFFF);
                assertThat(RtpHeader.timestamp(p, 0) - RtpHeader.timestamp(prev, 0)).isEqualTo(960);
            }
        }
    }

    @Test
    void pliNackAndFirFromTheReceiverReachTheVideoSender() throws Exception {
        alice.sendRtp(96, 1, 90000, 0x3333, new byte[100], false);
        await().atMost(Duration.ofSeconds(5)).until(() -> bob.rtpReceived.get() == 1);
        long videoSsrcAtBob = answerSsrc(bobSide.answerSdp(), "video");
        assertThat(RtpHeader.ssrc(bob.received.get(0), 0)).isEqualTo(videoSsrcAtBob);
        // the route's first video packet asked alice for a key frame, so bob's video starts at once
        await().atMost(Duration.ofSeconds(5)).until(() -> alice.rtcpReceived.get() == 1);
        assertThat(alice.received.get(0)[0] & 0x1F).isEqualTo(1);
        assertThat(RtpHeader.readUint32(alice.received.get(0), 8)).isEqualTo(0x3333);
        byte[] pli = new byte[12];
        pli[0] = (byte) 0x81;
        pli[1] = (byte) 206;
        pli[3] = 2;
        RtpHeader.writeUint32(pli, 4, 0x4444);
        RtpHeader.writeUint32(pli, 8, videoSsrcAtBob);
        bob.sendRtcp(pli);
        await().atMost(Duration.ofSeconds(5)).until(() -> alice.rtcpReceived.get() == 2);
        byte[] got = alice.received.get(1);
        assertThat(got[1] & 0xFF).isEqualTo(206);
        assertThat(got[0] & 0x1F).isEqualTo(1);
        assertThat(RtpHeader.readUint32(got, 8)).isEqualTo(0x3333); // the sender's own SSRC

        // a generic NACK for the forwarded packet reaches the sender in its own sequence numbers
        int forwardedSeq = RtpHeader.sequence(bob.received.get(0), 0);
        byte[] nack = new byte[16];
        nack[0] = (byte) 0x81;
        nack[1] = (byte) 205;
        nack[3] = 3;
        RtpHeader.writeUint32(nack, 4, 0x4444);
        RtpHeader.writeUint32(nack, 8, videoSsrcAtBob);
        nack[12] = (byte) (forwardedSeq >>> 8);
        nack[13] = (byte) forwardedSeq;
        nack[15] = 0b101; // and two after it
        bob.sendRtcp(nack);
        await().atMost(Duration.ofSeconds(5)).until(() -> alice.rtcpReceived.get() == 3);
        byte[] nackGot = alice.received.get(2);
        assertThat(nackGot[1] & 0xFF).isEqualTo(205);
        assertThat(RtpHeader.readUint32(nackGot, 8)).isEqualTo(0x3333);
        assertThat(((nackGot[12] & 0xFF) << 8) | (nackGot[13] & 0xFF)).isEqualTo(1); // alice sent it as seq 1
        assertThat(nackGot[15]).isEqualTo((byte) 0b101);

        // FIR (RFC 5104): passed on as a FIR naming the sender's SSRC
        byte[] fir = new byte[20];
        fir[0] = (byte) 0x84;
        fir[1] = (byte) 206;
        fir[3] = 4;
        RtpHeader.writeUint32(fir, 4, 0x4444);
        RtpHeader.writeUint32(fir, 12, videoSsrcAtBob);
        fir[16] = 1;
        bob.sendRtcp(fir);
        await().atMost(Duration.ofSeconds(5)).until(() -> alice.rtcpReceived.get() == 4);
        byte[] firGot = alice.received.get(3);
        assertThat(firGot[0] & 0x1F).isEqualTo(4);
        assertThat(RtpHeader.readUint32(firGot, 4 + 8)).isEqualTo(0x3333);
    }

    @Test
    void aThirdMemberIsRefusedWithAClearError() {
        io.srproxy.rtc.CapturingTransport third = new io.srproxy.rtc.CapturingTransport(0x3333_3333L, PayloadFormat.PCMU);
        try {
            assertThatThrownBy(() -> rtc.channels().join("call", "carol", third, e -> {}))
                    .isInstanceOfSatisfying(RtcException.class, e -> assertThat(e.code()).isEqualTo("channel-full"))
                    .hasMessageContaining("joined without multistream");
        } finally {
            third.close();
        }
    }

    @Test
    void badInputIsCountedAndDroppedAndTheCallGoesOn() throws Exception {
        MuxCounters c = rtc.mux().counters();
        InetSocketAddress port = new InetSocketAddress("127.0.0.1", rtc.port());
        try (DatagramSocket stray = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] garbage = {(byte) 0xF0, 1, 2, 3, 4, 5};
            stray.send(new DatagramPacket(garbage, garbage.length, port));
            byte[] dtls = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            stray.send(new DatagramPacket(dtls, dtls.length, port));
            byte[] rtp = new byte[40];
            RtpHeader.writeFixed(rtp, 0, false, 111, 1, 1, 0x5555);
            stray.send(new DatagramPacket(rtp, rtp.length, port));
        }
        alice.sendWrongIntegrity();
        alice.sendRtp(111, 1, 960, 0x1111, new byte[40], true);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<String, Long> s = c.snapshot();
            assertThat(s.get("garbage")).isEqualTo(1);
            assertThat(s.get("dtlsUnknownAddress")).isEqualTo(1);
            assertThat(s.get("srtpUnknownAddress")).isEqualTo(1);
            assertThat(s.get("stunBadIntegrity")).isEqualTo(1);
            assertThat(s.get("srtpAuthFailed")).isEqualTo(1);
        });
        assertThat(bob.rtpReceived.get()).isZero();
        // the same peers still talk, and nobody was told anything
        alice.sendRtp(111, 2, 1920, 0x1111, new byte[40], false);
        await().atMost(Duration.ofSeconds(5)).until(() -> bob.rtpReceived.get() == 1);
        assertThat(aliceEvents).containsExactly(new RtcEvent.UserJoined("bob"));
        assertThat(states).noneMatch(s -> s.contains("FAILED") || s.contains("CLOSED"));
    }

    @Test
    void aValidSrtpPacketFromAnotherAddressThanTheIceBoundOneIsDropped() throws Exception {
        MuxCounters c = rtc.mux().counters();
        InetSocketAddress port = new InetSocketAddress("127.0.0.1", rtc.port());
        // alice's own keys, so only the source address tells it apart (a captured or replayed packet)
        byte[] b = new byte[12 + 40 + SrtpSession.TRAILER_ROOM];
        int len = alice.protectRtp(b, 111, 7, 7 * 960L, 0x1111, new byte[40]);
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            for (int i = 0; i < 5; i++) {
                stranger.send(new DatagramPacket(b, len, port));
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> c.snapshot().get("srtpUnknownAddress") == 5);
        // the ICE-bound address still gets through, and bob heard only that one packet
        alice.sendRtp(111, 8, 8 * 960L, 0x1111, new byte[40], false);
        await().atMost(Duration.ofSeconds(5)).until(() -> bob.rtpReceived.get() == 1);
        assertThat(c.snapshot().get("srtpUnknownAddress")).isEqualTo(5);
        assertThat(rtc.mux().unexpectedErrors()).isZero();
    }

    @Test
    void aPortInUseIsRefusedRatherThanShared() {
        assertThatThrownBy(() -> new UdpMux(new InetSocketAddress("127.0.0.1", rtc.port()), 2, System::nanoTime))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot bind the RTC UDP port");
    }

    @Test
    void aPeerSilentFor30SecondsIsGoneAndSaysSo() throws Exception {
        clock.addAndGet(Duration.ofSeconds(29).toNanos());
        rtc.sweep();
        assertThat(states).noneMatch(s -> s.contains("FAILED"));
        long checks = rtc.mux().counters().stunChecks.sum();
        alice.sendConsent(); // alice keeps consent, bob does not
        await().atMost(Duration.ofSeconds(5)).until(() -> rtc.mux().counters().stunChecks.sum() > checks);
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        rtc.sweep();
        assertThat(states).contains("bob FAILED consent-timeout").noneMatch(s -> s.startsWith("alice FAILED"));
        assertThat(bobSide.transport().state()).isEqualTo(WebRtcTransport.State.CLOSED);
        assertThat(rtc.mux().sessions()).isEqualTo(1);
    }
}
