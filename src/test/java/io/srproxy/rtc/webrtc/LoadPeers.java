package io.srproxy.rtc.webrtc;

import io.srproxy.media.rtp.RtpHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.DTLSClientProtocol;

/**
 * Many browser-like WebRTC peers for load harnesses, on few threads: one I/O thread owns every
 * peer's UDP channel (one Selector), its SRTP contexts, its 20 ms send clock and its receive
 * statistics; DTLS handshakes run on a small pool fed through {@link QueueDatagramTransport}.
 * Each connected peer sends one audio frame every 20 ms (a fixed list of Opus or PCMU frames,
 * cycled) and measures what it receives (RFC 3550 jitter, sequence gaps, the longest silence), with
 * no allocation per packet. A peer is one call's media, in one of two roles:
 * <ul>
 * <li>offerer towards an ICE-lite server (srproxy): {@link Peer#offer}, then {@link Peer#connect(String)}
 *     with the answer; the peer is the controlling ICE agent and nominates with its first check;</li>
 * <li>answerer to a full-ICE offerer (Janus): {@link Peer#answer}, then {@link Peer#connect()}; the
 *     peer is controlled, answers the offerer's checks and starts DTLS once a check nominates it.</li>
 * </ul>
 * In both the peer is the DTLS client (setup active) and then closes. A peer in a group channel
 * (multistream, docs/protocol.md "Renegotiation") offers more {@code recvonly} audio m-lines with
 * {@link Peer#offer(List)} and is told by {@link Peer#expect} which SSRC carries whose audio; each
 * such stream is counted apart ({@link Stats#streams()}), anything else in the peer's own figures.
 */
public final class LoadPeers implements AutoCloseable {

    private static final long TICK_NS = 20_000_000L;
    private static final int CONSENT_TICKS = 250; // an ICE check every 5 s keeps RFC 7675 consent

    /** The audio the peers send: RTP payload type, clock (samples per ms) and SDP rtpmap. */
    public record Audio(int payloadType, int clockPerMs, String rtpmap) {
        public static final Audio OPUS = new Audio(111, 48, "opus/48000/2");
        public static final Audio PCMU = new Audio(0, 8, "PCMU/8000");

        int samplesPerFrame() {
            return clockPerMs * 20;
        }
    }

    private final IoLoop[] loops;
    private final java.util.concurrent.atomic.AtomicInteger nextLoop = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService handshakes;
    private final Audio audio;
    private final InetAddress bind;
    private final byte[][] frames;
    private final int[] frameLengths;
    private volatile boolean running = true;

    /** {@code frames[i]} holds an Opus frame of {@code lengths[i]} bytes; sent in turn, every 20 ms. */
    public LoadPeers(byte[][] frames, int[] lengths, int handshakeThreads) throws IOException {
        this(Audio.OPUS, frames, lengths, handshakeThreads);
    }

    /** Like {@link #LoadPeers(byte[][], int[], int)} with frames of {@code audio} (20 ms each). */
    public LoadPeers(Audio audio, byte[][] frames, int[] lengths, int handshakeThreads) throws IOException {
        this(audio, frames, lengths, handshakeThreads, InetAddress.getLoopbackAddress());
    }

    /** Like {@link #LoadPeers(Audio, byte[][], int[], int)}, the peers' sockets bound to {@code bind}. */
    public LoadPeers(Audio audio, byte[][] frames, int[] lengths, int handshakeThreads, InetAddress bind) throws IOException {
        this(audio, frames, lengths, handshakeThreads, bind, 1);
    }

    /**
     * Like {@link #LoadPeers(Audio, byte[][], int[], int, InetAddress)}, the peers spread over
     * {@code ioThreads} I/O threads in turn, each with its own selector and 20 ms clock; the clocks
     * tick {@code 20 / ioThreads} ms apart, so one thread's burst of sends is not all the peers'.
     */
    public LoadPeers(Audio audio, byte[][] frames, int[] lengths, int handshakeThreads, InetAddress bind, int ioThreads)
            throws IOException {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("at least one I/O thread, not " + ioThreads);
        }
        this.bind = bind;
        this.audio = audio;
        this.frames = frames;
        this.frameLengths = lengths;
        handshakes = Executors.newFixedThreadPool(handshakeThreads, r -> {
            Thread t = new Thread(r, "load-dtls");
            t.setDaemon(true);
            return t;
        });
        loops = new IoLoop[ioThreads];
        long start = System.nanoTime();
        for (int i = 0; i < ioThreads; i++) {
            loops[i] = new IoLoop(ioThreads == 1 ? "load-peers-io" : "load-peers-io-" + i, start + TICK_NS * (i + 1) / ioThreads);
        }
    }

    /**
     * What a measuring window saw: each call's longest gap (ms), and how late the harness's own
     * 20 ms clock ticked at worst (ms). Every call sending from this harness sees a late tick as a
     * gap, so a gap no longer than it may be the harness's own, not the target's.
     */
    public record Window(List<Long> gaps, long lateTickMaxMs) {
    }

    /**
     * Opens a measuring window: from now each peer also keeps the longest gap between two packets
     * of no expected SSRC (a 1:1 call's media) inside the window, apart from its whole life's.
     * A harness's own actions after the window (reading the target's heap with a full GC, stopping
     * the far ends) then do not count as the target's gaps.
     */
    public void openWindow() {
        for (IoLoop loop : loops) {
            loop.onIo(() -> {
                loop.inWindow = true;
                loop.windowLateMaxNs = 0;
                loop.windowGapsOfEnded.clear();
                for (Peer p : loop.sending) {
                    p.other.windowGapNs = 0;
                }
            });
        }
    }

    /** Closes the window: each peer's longest gap in it (the peers up now and those that ended in it). */
    public CompletableFuture<Window> closeWindow() {
        List<CompletableFuture<Window>> each = new ArrayList<>();
        for (IoLoop loop : loops) {
            CompletableFuture<Window> f = new CompletableFuture<>();
            loop.onIo(() -> {
                loop.inWindow = false;
                List<Long> gaps = new ArrayList<>(loop.windowGapsOfEnded);
                for (Peer p : loop.sending) {
                    if (p.other.received > 1) {
                        gaps.add(p.other.windowGapNs / 1_000_000);
                    }
                }
                loop.windowGapsOfEnded.clear();
                f.complete(new Window(gaps, loop.windowLateMaxNs / 1_000_000));
            });
            each.add(f);
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Long> gaps = new ArrayList<>();
            long late = 0;
            for (CompletableFuture<Window> f : each) {
                gaps.addAll(f.join().gaps());
                late = Math.max(late, f.join().lateTickMaxMs());
            }
            return new Window(gaps, late);
        });
    }

    /** Ticks of the 20 ms clocks that were more than 5 ms late (the harness itself was short of CPU). */
    public long lateTicks() {
        long sum = 0;
        for (IoLoop loop : loops) {
            sum += loop.lateTicks;
        }
        return sum;
    }

    /** Packets a peer's socket did not take (its send buffer full): lost before they left the harness. */
    public long sendDrops() {
        long sum = 0;
        for (IoLoop loop : loops) {
            sum += loop.sendDrops;
        }
        return sum;
    }

    public Peer newPeer() throws IOException {
        return new Peer();
    }

    /**
     * What one peer received, final when its call ended: {@code received}, {@code expected},
     * {@code jitterMs} and {@code longestGapMs} cover the packets of no {@link Peer#expect expected}
     * SSRC (in a 1:1 call, all of them); {@code streams} has each expected SSRC's own figures.
     */
    public record Stats(long sent, long received, long expected, double jitterMs, long longestGapMs, long rtcp,
                        long srtpFailures, List<StreamStats> streams) {
        public Stats(long sent, long received, long expected, double jitterMs, long longestGapMs, long rtcp, long srtpFailures) {
            this(sent, received, expected, jitterMs, longestGapMs, rtcp, srtpFailures, List.of());
        }

        public long lost() {
            return Math.max(0, expected - received);
        }
    }

    /** What one expected SSRC brought ({@code label}: whose stream it is, as the caller named it). */
    public record StreamStats(String label, long ssrc, long received, long expected, double jitterMs, long longestGapMs,
                              long longestGapSinceMarkMs) {
        public long lost() {
            return Math.max(0, expected - received);
        }
    }

    /** One call's WebRTC peer. */
    public final class Peer {
        private final IoLoop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
        private final DatagramChannel channel;
        private final String ufrag = "ld" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        private final String pwd = "loadpeerpassword" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 30));
        private final DtlsSrtpHandshakeTest.Client dtls = new DtlsSrtpHandshakeTest.Client(SrtpProfile.AES128_CM_HMAC_SHA1_80.id);
        private final long ssrc = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
        private final byte[] tx = new byte[1500];
        private final ByteBuffer txBuf = ByteBuffer.wrap(tx);
        private final CompletableFuture<Stats> closed = new CompletableFuture<>();
        private final CompletableFuture<Void> nominated = new CompletableFuture<>(); // answerer: a check with USE-CANDIDATE came
        private final byte[] stunTx = new byte[256];
        private final long tieBreaker = ThreadLocalRandom.current().nextLong();
        private volatile boolean controlled; // answerer to a full-ICE offerer
        private volatile InetSocketAddress remote;
        private volatile QueueDatagramTransport dtlsIn;
        private volatile SrtpSession srtp;
        private String serverUfrag;
        private String serverPwd;
        // I/O thread only
        private SelectionKey key;
        private int seq = ThreadLocalRandom.current().nextInt(1 << 16);
        private long ts = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
        private int frame;
        private int ticks;
        private long sent;
        private long rtcp;
        private long srtpFailures;
        private final Received other = new Received(null, -1, audio.clockPerMs()); // packets of no expected SSRC
        private Received[] streams = new Received[0];           // the expected SSRCs, looked up linearly
        private volatile int streamsWithMedia;
        // video (sendVideo): one frame of videoPackets packets every 20 ms tick; I/O thread only
        private final long videoSsrc = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
        private int videoPackets;
        private byte[] keyFrameStart;
        private byte[] frameRest;
        private int vSeq = ThreadLocalRandom.current().nextInt(1 << 16);
        private long vTs = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
        private long videoSent;

        private Peer() throws IOException {
            channel = DatagramChannel.open();
            // room for about 300 ms of a 32-member channel's audio and video, so that a harness
            // descheduled for a moment on a shared machine does not drop what srproxy sent it
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channel.bind(new InetSocketAddress(bind, 0));
            channel.configureBlocking(false);
        }

        public String offer() {
            return offer(List.of());
        }

        /**
         * The offer with one {@code recvonly} audio m-line more per mid of {@code recvAudioMids}
         * (mids 2 and up: 0 and 1 are the join's audio and video), as a multistream member
         * re-offers to take other members' audio; the same ICE credentials and fingerprint each time.
         */
        public String offer(List<String> recvAudioMids) {
            return offer(recvAudioMids, java.util.Set.of());
        }

        /** Like {@link #offer(List)}, the mids in {@code videoMids} being {@code recvonly} VP8 video m-lines. */
        public String offer(List<String> recvMids, java.util.Set<String> videoMids) {
            String common = "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n"
                    + "a=fingerprint:sha-256 " + dtls.identity.fingerprint() + "\r\na=setup:actpass\r\na=rtcp-mux\r\n";
            String audioLine = "m=audio 9 UDP/TLS/RTP/SAVPF " + audio.payloadType() + "\r\nc=IN IP4 0.0.0.0\r\n" + common;
            String rtpmap = "a=rtpmap:" + audio.payloadType() + " " + audio.rtpmap() + "\r\n";
            String videoLine = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n" + common;
            String vp8 = "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n";
            StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1");
            recvMids.forEach(mid -> sdp.append(' ').append(mid));
            sdp.append("\r\n").append(audioLine).append("a=mid:0\r\na=sendrecv\r\n").append(rtpmap)
                    .append(videoLine).append("a=mid:1\r\na=sendrecv\r\n").append(vp8);
            for (String mid : recvMids) {
                boolean video = videoMids.contains(mid);
                sdp.append(video ? videoLine : audioLine).append("a=mid:").append(mid).append("\r\na=recvonly\r\n")
                        .append(video ? vp8 : rtpmap);
            }
            return sdp.toString();
        }

        /**
         * Counts the packets of {@code ssrc} apart from now on, as {@code label}'s stream (from an
         * answer's subscriptions); a label expected again (a new SSRC for it) gets a new stream.
         */
        public void expect(long ssrc, String label) {
            expect(ssrc, label, audio.clockPerMs());
        }

        /** Like {@link #expect(long, String)} for a video stream (90 kHz clock, for its jitter). */
        public void expectVideo(long ssrc, String label) {
            expect(ssrc, label, 90);
        }

        private void expect(long ssrc, String label, int clockPerMs) {
            loop.onIo(() -> {
                Received[] more = java.util.Arrays.copyOf(streams, streams.length + 1);
                more[streams.length] = new Received(label, ssrc, clockPerMs);
                streams = more;
            });
        }

        /**
         * Sends video too, on the join's video m-line (VP8, payload type 96): every 20 ms one frame
         * of {@code packets} packets of {@code payloadBytes} bytes (a VP8 key frame's headers, then
         * zeros: srproxy forwards video without decoding it), 90 kHz timestamps.
         */
        public void sendVideo(int packets, int payloadBytes) {
            if (payloadBytes < 16 || payloadBytes > 1200) {
                throw new IllegalArgumentException("video payload is 16..1200 bytes, not " + payloadBytes);
            }
            byte[] first = new byte[payloadBytes];
            // VP8 payload descriptor: S=1, partition 0; frame tag: key frame, show_frame; start code; 640x480
            byte[] head = {0x10, 0x10, 0x02, 0x00, (byte) 0x9d, 0x01, 0x2a, (byte) 0x80, 0x02, (byte) 0xe0, 0x01};
            System.arraycopy(head, 0, first, 0, head.length);
            byte[] rest = new byte[payloadBytes]; // descriptor 0x00: a continuation of the frame
            loop.onIo(() -> {
                keyFrameStart = first;
                frameRest = rest;
                videoPackets = packets;
            });
        }

        /** Each expected stream's figures so far (read on the I/O thread, between packets). */
        public CompletableFuture<List<StreamStats>> streamStats() {
            CompletableFuture<List<StreamStats>> f = new CompletableFuture<>();
            loop.onIo(() -> f.complete(eachStream()));
            return f;
        }

        private List<StreamStats> eachStream() {
            List<StreamStats> each = new ArrayList<>();
            for (Received r : streams) {
                each.add(new StreamStats(r.label, r.ssrc, r.received, r.expected(), r.jitter / r.perMs,
                        r.longestGapNs / 1_000_000, r.gapSinceMarkNs / 1_000_000));
            }
            return List.copyOf(each);
        }

        /** Starts each expected stream's {@link StreamStats#longestGapSinceMarkMs} over (a measuring window begins). */
        public void mark() {
            loop.onIo(() -> {
                for (Received r : streams) {
                    r.gapSinceMarkNs = 0;
                }
            });
        }

        /** How many expected streams have had a packet so far. */
        public int streamsWithMedia() {
            return streamsWithMedia;
        }

        /**
         * The answer to a full-ICE offer (Janus): the offer's audio m-line only, with this peer's
         * payload type (the offer must have it), DTLS client (setup active), rtcp-mux, our SSRC and
         * our one host candidate. Then {@link #connect()}.
         */
        public String answer(String offer) throws IOException {
            controlled = true;
            serverUfrag = find(offer, "a=ice-ufrag:(\\S+)");
            serverPwd = find(offer, "a=ice-pwd:(\\S+)");
            remote = hostCandidate(offer);
            int audioAt = offer.indexOf("m=audio ");
            if (audioAt < 0) {
                throw new IllegalArgumentException("the offer has no audio:\n" + offer);
            }
            String mid = find(offer.substring(audioAt), "a=mid:(\\S+)");
            if (!Pattern.compile("a=rtpmap:" + audio.payloadType() + " " + Pattern.quote(audio.rtpmap()), Pattern.CASE_INSENSITIVE)
                    .matcher(offer).find()) {
                throw new IllegalArgumentException("the offer lacks " + audio.payloadType() + " " + audio.rtpmap() + ":\n" + offer);
            }
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            String ip = local.getAddress().getHostAddress();
            int pt = audio.payloadType();
            return "v=0\r\no=- 1 2 IN IP4 " + ip + "\r\ns=-\r\nt=0 0\r\na=group:BUNDLE " + mid + "\r\n"
                    + "a=msid-semantic: WMS load\r\n"
                    + "m=audio " + local.getPort() + " UDP/TLS/RTP/SAVPF " + pt + "\r\nc=IN IP4 " + ip + "\r\n"
                    + "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n"
                    + "a=fingerprint:sha-256 " + dtls.identity.fingerprint() + "\r\na=setup:active\r\n"
                    + "a=mid:" + mid + "\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:" + pt + " " + audio.rtpmap() + "\r\n"
                    + "a=msid:load audio\r\na=ssrc:" + ssrc + " cname:load\r\n"
                    + "a=candidate:1 1 udp 2130706431 " + ip + " " + local.getPort() + " typ host\r\n"
                    + "a=end-of-candidates\r\n";
        }

        /** Answerer: ICE with the offer's host candidate, DTLS client once nominated (at most 5 s later). */
        public CompletableFuture<Void> connect() {
            if (!controlled) {
                throw new IllegalStateException("connect() follows answer(); an offerer connects with the answer");
            }
            return start(remote);
        }

        /** Offerer: ICE check and DTLS client on the handshake pool; once done, media flows from the I/O thread. */
        public CompletableFuture<Void> connect(String answer) {
            InetSocketAddress to;
            try {
                serverUfrag = find(answer, "a=ice-ufrag:(\\S+)");
                serverPwd = find(answer, "a=ice-pwd:(\\S+)");
                to = hostCandidate(answer);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e); // a bad answer fails the call, as before
            }
            return start(to);
        }

        private CompletableFuture<Void> start(InetSocketAddress to) {
            remote = to;
            return CompletableFuture.runAsync(() -> {
                try {
                    channel.connect(to); // read() then needs no address per packet
                    QueueDatagramTransport in = new QueueDatagramTransport((b, o, l) -> channel.write(ByteBuffer.wrap(b, o, l)));
                    dtlsIn = in;
                    loop.onIo(() -> {
                        if (closed.isDone()) {
                            return; // the call ended during set-up
                        }
                        try {
                            key = channel.register(loop.selector, SelectionKey.OP_READ, this);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    channel.write(ByteBuffer.wrap(check()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, handshakes).thenCompose(v -> controlled ? nominated.completeOnTimeout(null, 5, TimeUnit.SECONDS)
                    : CompletableFuture.<Void>completedFuture(null)).thenRunAsync(() -> {
                try {
                    new DTLSClientProtocol().connect(dtls, dtlsIn);
                    srtp = new SrtpSession(SrtpKeys.fromExporter(SrtpProfile.byId(dtls.selected), dtls.material), false);
                    loop.onIo(() -> {
                        if (!closed.isDone()) {
                            loop.sending.add(this);
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, handshakes);
        }

        /** Ends this peer; the future completes with its statistics. */
        public CompletableFuture<Stats> close() {
            QueueDatagramTransport in = dtlsIn;
            if (in != null) {
                in.close();
            }
            loop.onIo(() -> {
                if (closed.isDone()) {
                    return;
                }
                if (loop.inWindow && loop.sending.contains(this) && other.received > 1) {
                    loop.windowGapsOfEnded.add(other.windowGapNs / 1_000_000);
                }
                loop.sending.remove(this);
                if (key != null) {
                    key.cancel();
                }
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                closed.complete(new Stats(sent, other.received, other.expected(), other.jitter / audio.clockPerMs(),
                        other.longestGapNs / 1_000_000, rtcp, srtpFailures, eachStream()));
            });
            return closed;
        }

        /**
         * An ICE connectivity check. Offerer (towards ICE lite): nominates at once (USE-CANDIDATE).
         * Answerer: controlled, with PRIORITY and ICE-CONTROLLED as a full agent expects; it keeps the
         * offerer's consent and gives it a peer-reflexive candidate if ours did not reach it.
         */
        private byte[] check() {
            byte[] txId = new byte[12];
            ThreadLocalRandom.current().nextBytes(txId);
            byte[] buf = new byte[256];
            StunWriter w = new StunWriter(buf, 0, Stun.BINDING_REQUEST, txId, 0).username(serverUfrag + ":" + ufrag);
            if (controlled) {
                byte[] priority = new byte[4];
                Stun.writeInt(priority, 0, 0x6E7F00FF); // peer-reflexive type preference 110, as RFC 8445 asks
                byte[] tie = new byte[8];
                for (int i = 0; i < 8; i++) {
                    tie[i] = (byte) (tieBreaker >>> (56 - 8 * i));
                }
                w.attribute(Stun.ATTR_PRIORITY, priority).attribute(Stun.ATTR_ICE_CONTROLLED, tie);
            } else {
                w.attribute(Stun.ATTR_USE_CANDIDATE, new byte[0]);
            }
            int len = w.integrity(serverPwd.getBytes(StandardCharsets.UTF_8)).fingerprint().length();
            return java.util.Arrays.copyOf(buf, len);
        }

        /** Binding success for the remote agent's check (we are connected to its one candidate). */
        private void answerCheck(byte[] b) throws IOException {
            int len = new StunWriter(stunTx, 0, Stun.BINDING_SUCCESS, b, 8).xorMappedAddress(remote)
                    .integrity(pwd.getBytes(StandardCharsets.UTF_8)).fingerprint().length();
            channel.write(ByteBuffer.wrap(stunTx, 0, len));
        }

        private void tick() throws IOException {
            if (++ticks % CONSENT_TICKS == 0) {
                channel.write(ByteBuffer.wrap(check()));
            }
            int f = frame++ % frames.length;
            RtpHeader.writeFixed(tx, 0, false, audio.payloadType(), seq, ts, ssrc);
            System.arraycopy(frames[f], 0, tx, 12, frameLengths[f]);
            int len = srtp.protectRtp(tx, 0, 12 + frameLengths[f]);
            seq = (seq + 1) & 0xFFFF;
            ts = (ts + audio.samplesPerFrame()) & 0xFFFFFFFFL;
            txBuf.clear().limit(len);
            if (channel.write(txBuf) == 0) {
                loop.sendDrops++; // the I/O thread is the only writer
            }
            sent++;
            for (int i = 0; i < videoPackets; i++) {
                byte[] payload = i == 0 ? keyFrameStart : frameRest;
                RtpHeader.writeFixed(tx, 0, i == videoPackets - 1, 96, vSeq, vTs, videoSsrc);
                System.arraycopy(payload, 0, tx, 12, payload.length);
                int vlen = srtp.protectRtp(tx, 0, 12 + payload.length);
                vSeq = (vSeq + 1) & 0xFFFF;
                txBuf.clear().limit(vlen);
                if (channel.write(txBuf) == 0) {
                    loop.sendDrops++;
                }
                videoSent++;
            }
            vTs = (vTs + 1800) & 0xFFFFFFFFL;
        }

        private void onDatagram(byte[] b, int len, long nowNs) {
            int first = b[0] & 0xFF;
            if (first >= 20 && first <= 63) {
                QueueDatagramTransport in = dtlsIn;
                if (in != null) {
                    in.offer(b, 0, len);
                }
                return;
            }
            if (first < 4) {
                if (Stun.isStun(b, 0, len) && Stun.messageType(b, 0) == Stun.BINDING_REQUEST) {
                    try {
                        answerCheck(b); // a full ICE agent's check (srproxy is ICE lite and sends none)
                    } catch (IOException e) {
                        return; // closing
                    }
                    if (Stun.findAttribute(b, 0, len, Stun.ATTR_USE_CANDIDATE) >= 0) {
                        nominated.complete(null);
                    }
                }
                return; // or answers to our checks
            }
            SrtpSession s = srtp;
            if (first < 128 || first > 191 || s == null) {
                return;
            }
            if (RtpHeader.isRtcp(b, 0, len)) {
                rtcp++;
                return;
            }
            if (s.unprotectRtp(b, 0, len, loop.failure) < 0) {
                srtpFailures++;
                return;
            }
            long from = RtpHeader.ssrc(b, 0);
            Received r = other;
            Received[] expected = streams;
            for (Received e : expected) {
                if (e.ssrc == from) {
                    r = e;
                    if (e.received == 0) {
                        streamsWithMedia++; // the I/O thread is the only writer
                    }
                    break;
                }
            }
            r.count(RtpHeader.sequence(b, 0), RtpHeader.timestamp(b, 0), nowNs);
        }
    }

    /** Receive figures of one stream (or of every unexpected SSRC together); I/O thread only. */
    private static final class Received {
        final String label;
        final long ssrc;
        final int perMs; // RTP clock, per ms
        long received;
        long baseSeq = -1;
        long maxSeq;
        double jitter;
        long lastTransit = Long.MIN_VALUE;
        long lastArrivalNs;
        long longestGapNs;
        long gapSinceMarkNs;
        /** Longest gap since the fleet's window opened (its peers' {@code other} only). */
        long windowGapNs;

        Received(String label, long ssrc, int perMs) {
            this.label = label;
            this.ssrc = ssrc;
            this.perMs = perMs;
        }

        long expected() {
            return baseSeq < 0 ? 0 : maxSeq - baseSeq + 1;
        }

        /** RFC 3550 A.1 (extended sequence) and A.8 (interarrival jitter, in RTP clock units). */
        void count(int seq16, long rtpTs, long nowNs) {
            received++;
            if (baseSeq < 0) {
                baseSeq = seq16;
                maxSeq = seq16;
            } else {
                long ext = (maxSeq & ~0xFFFFL) | seq16;
                if (ext < maxSeq - 0x8000) {
                    ext += 0x10000;
                } else if (ext > maxSeq + 0x8000) {
                    ext -= 0x10000;
                }
                if (Math.abs(ext - maxSeq) > 3000) { // a new stream (source restarted): start over
                    baseSeq = ext - (received - 1);
                }
                maxSeq = Math.max(maxSeq, ext);
                longestGapNs = Math.max(longestGapNs, nowNs - lastArrivalNs);
                gapSinceMarkNs = Math.max(gapSinceMarkNs, nowNs - lastArrivalNs);
                windowGapNs = Math.max(windowGapNs, nowNs - lastArrivalNs);
            }
            long arrival = nowNs / 1_000_000L * perMs + (nowNs % 1_000_000L) * perMs / 1_000_000L;
            long transit = arrival - rtpTs;
            if (lastTransit != Long.MIN_VALUE) {
                long d = Math.abs(transit - lastTransit);
                if (d < perMs * 60_000L) { // ignore timestamp jumps of a restarted source
                    jitter += (d - jitter) / 16.0;
                }
            }
            lastTransit = transit;
            lastArrivalNs = nowNs;
        }
    }

    /** One I/O thread: its peers' sockets on a selector, and their 20 ms clock. */
    private final class IoLoop {
        final Selector selector;
        final Thread thread;
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final List<Peer> sending = new ArrayList<>(); // this thread only
        final ByteBuffer rx = ByteBuffer.allocate(2048 + SrtpSession.TRAILER_ROOM);
        final SrtpSession.Failure failure = new SrtpSession.Failure();
        volatile long lateTicks;
        volatile long sendDrops;
        /** A measuring window is open ({@link #openWindow}): this thread only. */
        boolean inWindow;
        /** Longest gap in the window of each peer that ended while it was open, ms: this thread only. */
        final List<Long> windowGapsOfEnded = new ArrayList<>();
        /** The latest the 20 ms clock ticked in the window, ns: this thread only. */
        long windowLateMaxNs;
        private final long firstTick;

        IoLoop(String name, long firstTick) throws IOException {
            this.selector = Selector.open();
            this.firstTick = firstTick;
            thread = new Thread(this::loop, name);
            thread.setDaemon(true);
            thread.start();
        }

        void onIo(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        private void loop() {
            long nextTick = firstTick;
            byte[] b = rx.array();
            while (running) {
                try {
                    Runnable t;
                    while ((t = tasks.poll()) != null) {
                        t.run();
                    }
                    long now = System.nanoTime();
                    if (now >= nextTick) {
                        if (now - nextTick > 5_000_000L) {
                            lateTicks++;
                        }
                        if (inWindow) {
                            windowLateMaxNs = Math.max(windowLateMaxNs, now - nextTick);
                        }
                        for (int i = 0; i < sending.size(); i++) {
                            try {
                                sending.get(i).tick();
                            } catch (IOException e) {
                                // a closing peer: its close task removes it
                            }
                        }
                        nextTick = now - nextTick > 100_000_000L ? now + TICK_NS : nextTick + TICK_NS;
                    }
                    long waitMs = Math.max(1, (nextTick - System.nanoTime()) / 1_000_000L);
                    selector.select(k -> {
                        Peer p = (Peer) k.attachment();
                        // one datagram per wake-up: a peer gets one every 20 ms, so reading on until the
                        // socket is empty cost a second system call per packet; the selector is
                        // level-triggered, so a socket with more queued is ready again at once
                        try {
                            rx.clear();
                            int n = p.channel.read(rx);
                            if (n > 0) {
                                p.onDatagram(b, n, System.nanoTime());
                            }
                        } catch (IOException e) {
                            // ICMP port unreachable after the server dropped the peer: nothing to read
                        }
                    }, waitMs);
                } catch (IOException | RuntimeException e) {
                    if (running) {
                        System.err.println(thread.getName() + ": " + e);
                    }
                }
            }
        }

        void close() {
            selector.wakeup();
            try {
                thread.join(2000);
                selector.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** The first host candidate of component 1 (udp) in an SDP. */
    private static InetSocketAddress hostCandidate(String sdp) {
        Matcher m = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ (\\S+) (\\d+) typ host", Pattern.CASE_INSENSITIVE).matcher(sdp);
        if (!m.find()) {
            throw new IllegalArgumentException("no udp host candidate in:\n" + sdp);
        }
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    private static String find(String sdp, String regex) {
        Matcher m = Pattern.compile(regex).matcher(sdp);
        if (!m.find()) {
            throw new IllegalArgumentException("answer lacks " + regex);
        }
        return m.group(1);
    }

    @Override
    public void close() {
        running = false;
        handshakes.shutdownNow();
        for (IoLoop loop : loops) {
            loop.close();
        }
        try {
            handshakes.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
