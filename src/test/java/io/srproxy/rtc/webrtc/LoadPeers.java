package io.srproxy.rtc.webrtc;

import io.srproxy.rtc.rtp.RtpHeader;
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
 * Each connected peer sends one Opus frame every 20 ms (a fixed list of frames, cycled) and
 * measures what it receives (RFC 3550 jitter, sequence gaps, the longest silence), with no
 * allocation per packet. A peer is one call's media: offer, then {@link Peer#connect}, then close.
 */
public final class LoadPeers implements AutoCloseable {

    private static final long TICK_NS = 20_000_000L;
    private static final int CONSENT_TICKS = 250; // an ICE check every 5 s keeps RFC 7675 consent
    private static final int OPUS_PT = 111;
    private static final int OPUS_CLOCK_PER_MS = 48;

    private final Selector selector;
    private final Thread io;
    private final ExecutorService handshakes;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Peer> sending = new ArrayList<>(); // I/O thread only
    private final byte[][] frames;
    private final int[] frameLengths;
    private final ByteBuffer rx = ByteBuffer.allocate(2048 + SrtpSession.TRAILER_ROOM);
    private final SrtpSession.Failure failure = new SrtpSession.Failure();
    private volatile boolean running = true;
    private volatile long lateTicks;

    /** {@code frames[i]} holds an Opus frame of {@code lengths[i]} bytes; sent in turn, every 20 ms. */
    public LoadPeers(byte[][] frames, int[] lengths, int handshakeThreads) throws IOException {
        this.frames = frames;
        this.frameLengths = lengths;
        selector = Selector.open();
        handshakes = Executors.newFixedThreadPool(handshakeThreads, r -> {
            Thread t = new Thread(r, "load-dtls");
            t.setDaemon(true);
            return t;
        });
        io = new Thread(this::loop, "load-peers-io");
        io.setDaemon(true);
        io.start();
    }

    /** Ticks of the 20 ms clock that were more than 5 ms late (the harness itself was short of CPU). */
    public long lateTicks() {
        return lateTicks;
    }

    public Peer newPeer() throws IOException {
        return new Peer();
    }

    /** What one peer received, final when its call ended. */
    public record Stats(long sent, long received, long expected, double jitterMs, long longestGapMs, long rtcp,
                        long srtpFailures) {
        public long lost() {
            return Math.max(0, expected - received);
        }
    }

    /** One call's WebRTC peer. */
    public final class Peer {
        private final DatagramChannel channel;
        private final String ufrag = "ld" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        private final String pwd = "loadpeerpassword" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 30));
        private final DtlsSrtpHandshakeTest.Client dtls = new DtlsSrtpHandshakeTest.Client(SrtpProfile.AES128_CM_HMAC_SHA1_80.id);
        private final long ssrc = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
        private final byte[] tx = new byte[1500];
        private final ByteBuffer txBuf = ByteBuffer.wrap(tx);
        private final CompletableFuture<Stats> closed = new CompletableFuture<>();
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
        private long received;
        private long rtcp;
        private long srtpFailures;
        private long baseSeq = -1;
        private long maxSeq;
        private double jitter;
        private long lastTransit = Long.MIN_VALUE;
        private long lastArrivalNs;
        private long longestGapNs;

        private Peer() throws IOException {
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.configureBlocking(false);
        }

        public String offer() {
            String common = "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n"
                    + "a=fingerprint:sha-256 " + dtls.identity.fingerprint() + "\r\na=setup:actpass\r\na=rtcp-mux\r\n";
            return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                    + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" + common
                    + "a=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"
                    + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n" + common
                    + "a=mid:1\r\na=sendrecv\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n";
        }

        /** ICE check and DTLS client on the handshake pool; once done, media flows from the I/O thread. */
        public CompletableFuture<Void> connect(String answer) {
            return CompletableFuture.runAsync(() -> {
                try {
                    serverUfrag = find(answer, "a=ice-ufrag:(\\S+)");
                    serverPwd = find(answer, "a=ice-pwd:(\\S+)");
                    String ip = find(answer, "a=candidate:\\S+ 1 udp \\d+ (\\S+) \\d+ typ host");
                    int port = Integer.parseInt(find(answer, "a=candidate:\\S+ 1 udp \\d+ \\S+ (\\d+) typ host"));
                    channel.connect(new InetSocketAddress(ip, port)); // read() then needs no address per packet
                    QueueDatagramTransport in = new QueueDatagramTransport((b, o, l) -> channel.write(ByteBuffer.wrap(b, o, l)));
                    dtlsIn = in;
                    onIo(() -> {
                        if (closed.isDone()) {
                            return; // the call ended during set-up
                        }
                        try {
                            key = channel.register(selector, SelectionKey.OP_READ, this);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    channel.write(ByteBuffer.wrap(check()));
                    new DTLSClientProtocol().connect(dtls, in);
                    srtp = new SrtpSession(SrtpKeys.fromExporter(SrtpProfile.byId(dtls.selected), dtls.material), false);
                    onIo(() -> {
                        if (!closed.isDone()) {
                            sending.add(this);
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
            onIo(() -> {
                if (closed.isDone()) {
                    return;
                }
                sending.remove(this);
                if (key != null) {
                    key.cancel();
                }
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                closed.complete(new Stats(sent, received, baseSeq < 0 ? 0 : maxSeq - baseSeq + 1,
                        jitter / OPUS_CLOCK_PER_MS, longestGapNs / 1_000_000, rtcp, srtpFailures));
            });
            return closed;
        }

        private byte[] check() {
            byte[] txId = new byte[12];
            ThreadLocalRandom.current().nextBytes(txId);
            byte[] buf = new byte[256];
            int len = new StunWriter(buf, 0, Stun.BINDING_REQUEST, txId, 0)
                    .username(serverUfrag + ":" + ufrag)
                    .attribute(Stun.ATTR_USE_CANDIDATE, new byte[0])
                    .integrity(serverPwd.getBytes(StandardCharsets.UTF_8)).fingerprint().length();
            return java.util.Arrays.copyOf(buf, len);
        }

        private void tick() throws IOException {
            if (++ticks % CONSENT_TICKS == 0) {
                channel.write(ByteBuffer.wrap(check()));
            }
            int f = frame++ % frames.length;
            RtpHeader.writeFixed(tx, 0, false, OPUS_PT, seq, ts, ssrc);
            System.arraycopy(frames[f], 0, tx, 12, frameLengths[f]);
            int len = srtp.protectRtp(tx, 0, 12 + frameLengths[f]);
            seq = (seq + 1) & 0xFFFF;
            ts = (ts + 960) & 0xFFFFFFFFL;
            txBuf.clear().limit(len);
            channel.write(txBuf);
            sent++;
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
            SrtpSession s = srtp;
            if (first < 128 || first > 191 || s == null) {
                return; // STUN answers to our checks
            }
            if (RtpHeader.isRtcp(b, 0, len)) {
                rtcp++;
                return;
            }
            if (s.unprotectRtp(b, 0, len, failure) < 0) {
                srtpFailures++;
                return;
            }
            countRtp(RtpHeader.sequence(b, 0), RtpHeader.timestamp(b, 0), nowNs);
        }

        /** RFC 3550 A.1 (extended sequence) and A.8 (interarrival jitter, in RTP clock units). */
        private void countRtp(int seq16, long rtpTs, long nowNs) {
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
            }
            long arrival = nowNs / 1_000_000L * OPUS_CLOCK_PER_MS + (nowNs % 1_000_000L) * OPUS_CLOCK_PER_MS / 1_000_000L;
            long transit = arrival - rtpTs;
            if (lastTransit != Long.MIN_VALUE) {
                long d = Math.abs(transit - lastTransit);
                if (d < 48_000L * 60) { // ignore timestamp jumps of a restarted source
                    jitter += (d - jitter) / 16.0;
                }
            }
            lastTransit = transit;
            lastArrivalNs = nowNs;
        }
    }

    private void onIo(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void loop() {
        long nextTick = System.nanoTime() + TICK_NS;
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
                    try {
                        while (true) {
                            rx.clear();
                            int n = p.channel.read(rx);
                            if (n <= 0) {
                                break;
                            }
                            p.onDatagram(b, n, System.nanoTime());
                        }
                    } catch (IOException e) {
                        // ICMP port unreachable after the server dropped the peer: nothing to read
                    }
                }, waitMs);
            } catch (IOException | RuntimeException e) {
                if (running) {
                    System.err.println("load-peers-io: " + e);
                }
            }
        }
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
        selector.wakeup();
        handshakes.shutdownNow();
        try {
            io.join(2000);
            handshakes.awaitTermination(2, TimeUnit.SECONDS);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
