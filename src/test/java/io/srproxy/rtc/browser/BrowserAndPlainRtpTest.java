package io.srproxy.rtc.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.media.codec.G711;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.RtpIoLoop;
import io.srproxy.media.rtp.RtpPortAllocator;
import io.srproxy.media.rtp.RtpSession;
import io.srproxy.rtc.RtcService;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import io.srproxy.config.RtxConfig;
import io.srproxy.media.PayloadFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transcoding and passthrough proven end to end: a plain-RTP member (a SIP leg's stand-in, sending
 * a PCMU tone in real time from a loopback socket) and a Chromium member share a channel; the page
 * finds the PCMU tone with WebAudio, the RTP side finds the page's tone in the PCMU it gets. With
 * {@code [media] passthrough=never} the page speaks Opus and srproxy transcodes; with {@code prefer}
 * the page's answer takes PCMU and srproxy only forwards.
 * Also: a DTLS failure (the offer's fingerprint altered on the wire) shows as a connection-state change.
 */
class BrowserAndPlainRtpTest {

    private static final double PAGE_TONE = 620;
    private static final double PHONE_TONE = 1000;

    @TempDir
    Path tmp;

    private Srproxy server;
    private BrowserPage page;
    private ScheduledExecutorService clock;
    private DatagramSocket phone;
    private RtpIoLoop rtpIo;
    private RtpSession session;
    private java.util.concurrent.ScheduledExecutorService rtpTimers;

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        if (rtpIo != null) {
            rtpIo.close();
        }
        if (rtpTimers != null) {
            rtpTimers.shutdownNow();
        }
        if (clock != null) {
            clock.shutdownNow();
        }
        if (phone != null) {
            phone.close();
        }
        if (page != null) {
            page.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RtxConfig.Passthrough.class)
    void pcmuPhoneAndBrowserHearEachOthersTone(RtxConfig.Passthrough passthrough) throws Exception {
        Peers.chromium();
        server = RtcTestServer.start(passthrough);
        phone = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        // the SIP leg's RTP session, as the SIP agent opens one for a call
        rtpIo = new RtpIoLoop("test-rtp-io");
        int base = 30000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(2000);
        session = RtpSession.open(new RtpPortAllocator(InetAddress.getLoopbackAddress(), base, base + 20), rtpIo,
                rtpTimers = Executors.newSingleThreadScheduledExecutor(), System::nanoTime, RtpSession.Options.of(30), null);
        session.setRemote((InetSocketAddress) phone.getLocalSocketAddress(), null, true);
        RtcService.PlainRtpMember member = server.rtc().addPlainRtpMember("mix", "phone", session, List.of(PayloadFormat.PCMU), e -> {});
        InetSocketAddress gateway = session.localRtpAddress();

        // the phone: 20 ms of PCMU tone every 20 ms, and everything it hears decoded
        short[] tone = Tones.sine(PHONE_TONE, 8000, 1.0, 0.5);
        AtomicInteger frame = new AtomicInteger();
        clock = Executors.newSingleThreadScheduledExecutor();
        clock.scheduleAtFixedRate(() -> {
            int f = frame.getAndIncrement();
            byte[] p = new byte[12 + 160];
            RtpHeader.writeFixed(p, 0, f == 0, 0, f & 0xFFFF, 160L * f, 0xC0FFEE);
            G711.encode(tone, (f % 50) * 160, p, 12, 160, false);
            try {
                phone.send(new DatagramPacket(p, p.length, gateway));
            } catch (java.io.IOException e) {
                // the socket is closing at the end of the test
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        short[] heard = new short[8000 * 30];
        AtomicInteger heardLen = new AtomicInteger();
        Thread receiver = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (!phone.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    phone.receive(p);
                } catch (java.io.IOException e) {
                    return;
                }
                if (RtpHeader.isRtp(buf, 0, p.getLength()) && RtpHeader.payloadType(buf, 0) == 0) {
                    int n = Math.min(p.getLength() - 12, heard.length - heardLen.get());
                    G711.decode(buf, 12, heard, heardLen.get(), n, false);
                    heardLen.addAndGet(n);
                }
            }
        });
        receiver.setDaemon(true);
        receiver.start();

        Path wav = Tones.writeWav(tmp.resolve("page.wav"), Tones.sine(PAGE_TONE, 48000, 4, 0.5), 48000);
        page = new BrowserPage(wav, server.webPort());
        assertThat(page.join("mix", "app", false, "vp8")).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(30)).until(() -> page.events().contains("user-published phone audio"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(page.remotePeakHz("phone")).isCloseTo(PHONE_TONE, Offset.offset(15.0)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            int n = heardLen.get();
            assertThat(n).isGreaterThan(8000);
            short[] lastSecond = Arrays.copyOfRange(heard, n - 8000, n);
            assertThat(Tones.relativePower(lastSecond, 8000, PAGE_TONE)).isGreaterThan(0.5);
        });
        var channel = server.rtc().channels().channel("mix").orElseThrow();
        boolean passes = passthrough == RtxConfig.Passthrough.PREFER;
        assertThat(channel.transcoding()).as("transcoding").isEqualTo(!passes);
        assertThat(channel.passthrough()).as("passthrough").isEqualTo(passes);
        member.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> page.events().stream().anyMatch(e -> e.startsWith("user-left phone")));
    }

    @Test
    void aFailedDtlsHandshakeShowsAsAConnectionStateChange() {
        Peers.chromium();
        server = RtcTestServer.start();
        page = new BrowserPage(null, server.webPort());
        // alter the fingerprint in the join request: our DTLS server must refuse the browser's certificate
        page.js("const send = WebSocket.prototype.send;"
                + "WebSocket.prototype.send = function (data) {"
                + "  const m = JSON.parse(data);"
                + "  if (m.type === 'join') { m.sdp = m.sdp.replace(/a=fingerprint:sha-256 ([0-9A-F]{2})/g,"
                + "    (all, b) => 'a=fingerprint:sha-256 ' + (b === '00' ? '01' : '00')); data = JSON.stringify(m); }"
                + "  return send.call(this, data); };");
        // the handshake may fail before the page gets to publish, so the demo's join may report that
        assertThat(page.join("bad", "mallory", false, "vp8")).isIn("ok", "error: srproxy-rtc: join before publishing");
        await().atMost(Duration.ofSeconds(30)).until(() -> page.events().stream()
                .anyMatch(e -> e.contains("-> DISCONNECTED") && !e.contains("LEAVE")));
        assertThat(page.events()).noneMatch(e -> e.contains("-> CONNECTED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.rtc().channels().channel("bad").isEmpty());
    }
}
