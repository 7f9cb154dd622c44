package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.TelephoneEvent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.srproxy.testsupport.RunsAlone;

/**
 * DTMF through the router: a browser's 48 kHz telephone-events reach a PCMU SIP leg re-timed into
 * its 8 kHz stream (RFC 4733 2.5: one timestamp per event, marker on the first packet, E bit on
 * the retransmitted end packets, sequence numbers continuous with the audio); with the same event
 * format on both sides they are simply forwarded.
 */
@RunsAlone
class TelephoneEventRouteTest {

    private static final PayloadFormat OPUS = PayloadFormat.opus(111);
    private static final PayloadFormat TE_48K = new PayloadFormat(110, "telephone-event", 48000, 1, "");
    private static final PayloadFormat TE_8K = new PayloadFormat(101, "telephone-event", 8000, 1, "0-16");
    private static final long BROWSER_SSRC = 0x1234;

    private int seq = 100;
    private long ts = 48_000;

    @Test
    void eventsAreRetimedIntoTheTranscodedStream() {
        CapturingTransport app = new CapturingTransport(0xA0, OPUS, TE_48K);
        CapturingTransport phone = new CapturingTransport(0xB0, PayloadFormat.PCMU, TE_8K);
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("d", "app", app, e -> {});
        registry.join("d", "phone", phone, e -> {});
        assertThat(registry.channel("d").orElseThrow().transcoding()).isTrue();

        try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
            sendAudio(app, enc, 5);
            sendEvent(app, 1, 100); // 100 ms: a start, updates, three end packets
            sendAudio(app, enc, 3);
            sendEvent(app, 2, 100);
        }

        List<byte[]> out = phone.sentRtp;
        for (int i = 1; i < out.size(); i++) {
            assertThat(RtpHeader.sequence(out.get(i), 0)).as("sequence of packet " + i)
                    .isEqualTo((RtpHeader.sequence(out.get(i - 1), 0) + 1) & 0xFFFF);
        }
        assertThat(out).allSatisfy(p -> assertThat(RtpHeader.ssrc(p, 0)).isEqualTo(0xB0));
        List<byte[]> first = eventPackets(out, 1);
        List<byte[]> second = eventPackets(out, 2);
        assertThat(first).hasSize(7);
        long start = RtpHeader.timestamp(first.get(0), 0);
        byte[] lastAudioBefore = out.get(out.indexOf(first.get(0)) - 1);
        assertThat(start).isEqualTo(RtpHeader.timestamp(lastAudioBefore, 0) + 160);
        assertThat(first).allSatisfy(p -> assertThat(RtpHeader.timestamp(p, 0)).isEqualTo(start));
        assertThat(first).extracting(p -> RtpHeader.marker(p, 0)).containsExactly(true, false, false, false, false, false, false);
        assertThat(first).extracting(p -> TelephoneEvent.end(p, 12)).containsExactly(false, false, false, false, true, true, true);
        assertThat(first).extracting(p -> TelephoneEvent.duration(p, 12)).containsExactly(160, 320, 480, 640, 800, 800, 800);
        // the audio after the event carries on after it, and the next event starts later still
        byte[] audioAfter = out.get(out.indexOf(first.get(6)) + 1);
        assertThat(RtpHeader.payloadType(audioAfter, 0)).isEqualTo(0);
        assertThat(RtpHeader.timestamp(audioAfter, 0)).isEqualTo(start + 800 + 160);
        assertThat(RtpHeader.timestamp(second.get(0), 0)).isGreaterThan(RtpHeader.timestamp(audioAfter, 0));
        assertThat(second).extracting(p -> RtpHeader.marker(p, 0)).startsWith(true, false);
    }

    @Test
    void sameEventFormatIsForwardedWithTheAudio() {
        CapturingTransport a = new CapturingTransport(0xA0, OPUS, TE_48K);
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.opus(96), new PayloadFormat(97, "telephone-event", 48000, 1, ""));
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("f", "a", a, e -> {});
        registry.join("f", "b", b, e -> {});
        assertThat(registry.channel("f").orElseThrow().transcoding()).isFalse();
        sendEvent(a, 11, 60);
        assertThat(b.sentRtp).isNotEmpty().allSatisfy(p -> {
            assertThat(RtpHeader.payloadType(p, 0)).isEqualTo(97);
            assertThat(RtpHeader.timestamp(p, 0)).isEqualTo(RtpHeader.timestamp(b.sentRtp.get(0), 0));
        });
        assertThat(TelephoneEvent.duration(b.sentRtp.get(b.sentRtp.size() - 1), 12)).isEqualTo(60 * 48);
    }

    @Test
    void forwardedAudioWithAnotherEventClockKeepsItsSequenceAfterARetimedEvent() {
        CapturingTransport a = new CapturingTransport(0xA0, OPUS, TE_48K);
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.opus(96), TE_8K);
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("g", "a", a, e -> {});
        registry.join("g", "b", b, e -> {});
        try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
            sendAudio(a, enc, 2);
            sendEvent(a, 5, 100);
            sendAudio(a, enc, 2);
        }
        List<byte[]> out = b.sentRtp;
        assertThat(out).extracting(p -> RtpHeader.payloadType(p, 0)).containsExactly(96, 96, 101, 101, 101, 101, 101, 101, 101, 96, 96);
        for (int i = 1; i < out.size(); i++) {
            assertThat(RtpHeader.sequence(out.get(i), 0)).isEqualTo((RtpHeader.sequence(out.get(i - 1), 0) + 1) & 0xFFFF);
        }
        assertThat(TelephoneEvent.duration(out.get(8), 12)).isEqualTo(800);
        assertThat(RtpHeader.timestamp(out.get(9), 0)).isGreaterThan(RtpHeader.timestamp(out.get(2), 0));
    }

    @Test
    void retimingAllocatesNothingPerPacket() {
        CapturingTransport app = new CapturingTransport(0xA0, OPUS, TE_48K);
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        MediaTransport phone = new CountingTransport(List.of(PayloadFormat.PCMU, TE_8K), sent);
        ChannelRegistry registry = new ChannelRegistry();
        registry.join("z", "app", app, e -> {});
        registry.join("z", "phone", phone, e -> {});
        PacketHandler route = app.handler();
        byte[] p = new byte[12 + 4 + MediaTransport.TRAILER_ROOM];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = 0;
        int i = 0;
        for (int round = 0; round < 2; round++) { // round 0 warms up
            before = mx.getCurrentThreadAllocatedBytes();
            for (int end = i + 20_000; i < end; i++) {
                RtpHeader.writeFixed(p, 0, i % 8 == 0, 110, i, 960L * (i / 8), BROWSER_SSRC);
                TelephoneEvent.write(p, 12, 1, i % 8 >= 5, 10, 960 * (i % 8 + 1));
                route.onRtp(p, 0, 16);
            }
        }
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).as("bytes allocated for 20000 event packets").isLessThan(1024);
        assertThat(sent.get()).as("packets relayed").isEqualTo(40_000);
    }

    /** A receiver that only counts what it is sent, so that only the router's own allocation counts. */
    private record CountingTransport(List<PayloadFormat> codecs, java.util.concurrent.atomic.AtomicInteger sent) implements MediaTransport {
        @Override
        public void setHandler(PacketHandler handler) {}

        @Override
        public void sendRtp(byte[] buf, int off, int len) {
            sent.incrementAndGet();
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {}

        @Override
        public long sendSsrc(MediaKind kind) {
            return 0xB0;
        }

        @Override
        public String describe() {
            return "count";
        }

        @Override
        public void close() {}
    }

    private static List<byte[]> eventPackets(List<byte[]> out, int event) {
        return out.stream().filter(p -> RtpHeader.payloadType(p, 0) == 101 && TelephoneEvent.event(p, 12) == event).toList();
    }

    private void sendAudio(CapturingTransport from, OpusEncoder enc, int frames) {
        short[] pcm = new short[960];
        byte[] p = new byte[1500];
        for (int f = 0; f < frames; f++) {
            int n = enc.encode(pcm, 0, 960, p, 12);
            RtpHeader.writeFixed(p, 0, false, 111, seq++, ts, BROWSER_SSRC);
            ts += 960;
            from.receiveRtp(Arrays.copyOf(p, 12 + n));
        }
    }

    /** As libwebrtc sends an event: every 20 ms a packet with the duration so far, the last one (the end) three times; no audio meanwhile. */
    private void sendEvent(CapturingTransport from, int event, int millis) {
        int total = millis * 48;
        int step = 20 * 48;
        int updates = millis / 20;
        for (int i = 0; i < updates + 2; i++) {
            boolean end = i >= updates - 1;
            int duration = Math.min(total, step * (i + 1));
            byte[] p = new byte[12 + 4];
            RtpHeader.writeFixed(p, 0, i == 0, 110, seq++, ts, BROWSER_SSRC);
            TelephoneEvent.write(p, 12, event, end, 10, duration);
            from.receiveRtp(p);
        }
        ts += total;
    }
}
