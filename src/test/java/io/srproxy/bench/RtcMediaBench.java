package io.srproxy.bench;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.rtc.MediaTransport;
import io.srproxy.rtc.PacketHandler;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.rtc.webrtc.SrtpProfile;
import io.srproxy.rtc.webrtc.WebRtcEndpoint;
import io.srproxy.testsupport.Tones;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The RTC media path, one packet per operation, on one thread (see docs/benchmarks.md):
 * <ul>
 *   <li>{@code forwardSrtp}: a browser-like Java peer protects an Opus packet (client side), then
 *       the mux's receive path: SRTP unprotect with replay check, route (header rewrite), SRTP
 *       protect, UDP send to the other peer. {@code clientProtectOnly} is the client part alone,
 *       to subtract.</li>
 *   <li>{@code routeForward}: the router alone between two in-memory transports.</li>
 *   <li>{@code transcodeOpusToPcmu} / {@code transcodePcmuToOpus}: the router transcoding a 20 ms
 *       frame through 8 kHz PCM with libopus and G.711, between in-memory transports.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RtcMediaBench {

    /** An in-memory transport: keeps its handler so the benchmark can inject, and counts sends. */
    static final class SinkTransport implements MediaTransport {
        final List<PayloadFormat> codecs;
        PacketHandler handler = PacketHandler.NONE;
        long sent;

        SinkTransport(PayloadFormat codec) {
            this.codecs = List.of(codec);
        }

        @Override
        public void setHandler(PacketHandler h) {
            handler = h;
        }

        @Override
        public void sendRtp(byte[] buf, int off, int len) {
            sent += len;
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {}

        @Override
        public List<PayloadFormat> codecs() {
            return codecs;
        }

        @Override
        public long sendSsrc(MediaKind kind) {
            return 0x5150;
        }

        @Override
        public String describe() {
            return "sink";
        }

        @Override
        public void close() {}
    }

    @State(Scope.Thread)
    public static class Srtp {
        @Param({"AES128_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM"})
        public String profile;

        RtcService rtc;
        JavaWebRtcPeer alice;
        JavaWebRtcPeer bob;
        final byte[] buf = new byte[2048 + MediaTransport.TRAILER_ROOM];
        final byte[] opus = new byte[80];
        int seq;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            rtc = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 1, System::nanoTime,
                    Duration.ofSeconds(5), false));
            int id = SrtpProfile.valueOf(profile).id;
            alice = new JavaWebRtcPeer(id);
            bob = new JavaWebRtcPeer(id);
            WebRtcEndpoint.Accepted a = rtc.webrtc().accept(alice.offer(), null);
            WebRtcEndpoint.Accepted b = rtc.webrtc().accept(bob.offer(), null);
            rtc.channels().join("bench", "alice", a.transport(), null);
            rtc.channels().join("bench", "bob", b.transport(), null);
            alice.connect(a.answerSdp());
            bob.connect(b.answerSdp());
            alice.stopReading();
            bob.stopReading();
            while (a.transport().state() != io.srproxy.rtc.webrtc.WebRtcTransport.State.CONNECTED
                    || b.transport().state() != io.srproxy.rtc.webrtc.WebRtcTransport.State.CONNECTED) {
                Thread.onSpinWait();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            alice.close();
            bob.close();
            rtc.close();
        }
    }

    @Benchmark
    public int clientProtectOnly(Srtp s) {
        int seq = s.seq++;
        return s.alice.protectRtp(s.buf, 111, seq & 0xFFFF, 960L * seq, 0xA11CE, s.opus);
    }

    @Benchmark
    public int forwardSrtp(Srtp s) {
        int seq = s.seq++;
        int len = s.alice.protectRtp(s.buf, 111, seq & 0xFFFF, 960L * seq, 0xA11CE, s.opus);
        s.rtc.mux().dispatch(s.buf, 0, len, s.alice.address());
        return len;
    }

    /** SRTP alone, CM profile: our implementation against jitsi-srtp, protect + unprotect per op. */
    @State(Scope.Thread)
    public static class SrtpImpl {
        @Param({"own", "jitsi"})
        public String impl;

        io.srproxy.rtc.webrtc.SrtpSession sender;
        io.srproxy.rtc.webrtc.SrtpSession receiver;
        final io.srproxy.rtc.webrtc.SrtpSession.Failure failure = new io.srproxy.rtc.webrtc.SrtpSession.Failure();
        final byte[] buf = new byte[12 + 80 + MediaTransport.TRAILER_ROOM];
        int seq;

        @Setup(Level.Trial)
        public void setUp() {
            io.srproxy.rtc.webrtc.SrtpKeys keys = io.srproxy.testsupport.RandomSrtpKeys.of(new java.util.Random(1));
            boolean own = impl.equals("own");
            sender = own ? new io.srproxy.rtc.webrtc.SrtpSession(keys, false) : io.srproxy.rtc.webrtc.SrtpSession.onJitsi(keys, false);
            receiver = own ? new io.srproxy.rtc.webrtc.SrtpSession(keys, true) : io.srproxy.rtc.webrtc.SrtpSession.onJitsi(keys, true);
        }
    }

    @Benchmark
    public int srtpCmProtectUnprotect(SrtpImpl s) {
        int seq = s.seq++;
        RtpHeader.writeFixed(s.buf, 0, false, 111, seq & 0xFFFF, 960L * seq, 0xA11CE);
        int len = s.sender.protectRtp(s.buf, 0, 12 + 80);
        return s.receiver.unprotectRtp(s.buf, 0, len, s.failure);
    }

    @State(Scope.Thread)
    public static class Route {
        io.srproxy.rtc.ChannelRegistry registry;
        SinkTransport from;
        SinkTransport to;
        final byte[] buf = new byte[12 + 80 + MediaTransport.TRAILER_ROOM];
        int seq;

        @Setup(Level.Trial)
        public void setUp() {
            registry = new io.srproxy.rtc.ChannelRegistry();
            from = new SinkTransport(PayloadFormat.opus(111));
            to = new SinkTransport(PayloadFormat.opus(109));
            registry.join("r", "a", from, null);
            registry.join("r", "b", to, null);
        }
    }

    @Benchmark
    public long routeForward(Route r) {
        int seq = r.seq++;
        RtpHeader.writeFixed(r.buf, 0, false, 111, seq & 0xFFFF, 960L * seq, 0xA11CE);
        r.from.handler.onRtp(r.buf, 0, 12 + 80);
        return r.to.sent;
    }

    @State(Scope.Thread)
    public static class Transcode {
        io.srproxy.rtc.ChannelRegistry registry;
        SinkTransport app;
        SinkTransport phone;
        byte[][] opusFrames;
        int[] opusLengths;
        byte[][] pcmuFrames;
        final byte[] buf = new byte[12 + 1500 + MediaTransport.TRAILER_ROOM];
        int seq;

        @Setup(Level.Trial)
        public void setUp() {
            registry = new io.srproxy.rtc.ChannelRegistry();
            app = new SinkTransport(PayloadFormat.opus(111));
            phone = new SinkTransport(PayloadFormat.PCMU);
            registry.join("t", "app", app, null);
            registry.join("t", "phone", phone, null);
            // one second of a tone in both codecs, sent round and round
            short[] tone48 = Tones.sine(700, 48000, 1, 0.5);
            short[] tone8 = Tones.sine(700, 8000, 1, 0.5);
            opusFrames = new byte[50][1500];
            opusLengths = new int[50];
            pcmuFrames = new byte[50][160];
            try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
                for (int f = 0; f < 50; f++) {
                    opusLengths[f] = enc.encode(tone48, f * 960, 960, opusFrames[f], 0);
                    G711.encode(tone8, f * 160, pcmuFrames[f], 0, 160, false);
                }
            }
        }
    }

    @Benchmark
    public long transcodeOpusToPcmu(Transcode t) {
        int seq = t.seq++;
        int f = seq % 50;
        RtpHeader.writeFixed(t.buf, 0, false, 111, seq & 0xFFFF, 960L * seq, 0xA11CE);
        System.arraycopy(t.opusFrames[f], 0, t.buf, 12, t.opusLengths[f]);
        t.app.handler.onRtp(t.buf, 0, 12 + t.opusLengths[f]);
        return t.phone.sent;
    }

    @Benchmark
    public long transcodePcmuToOpus(Transcode t) {
        int seq = t.seq++;
        int f = seq % 50;
        RtpHeader.writeFixed(t.buf, 0, false, 0, seq & 0xFFFF, 160L * seq, 0xB0B);
        System.arraycopy(t.pcmuFrames[f], 0, t.buf, 12, 160);
        t.phone.handler.onRtp(t.buf, 0, 12 + 160);
        return t.app.sent;
    }
}
