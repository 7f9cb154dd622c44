package io.srproxy.rtc.webrtc;

import io.srproxy.media.UnexpectedErrors;
import io.srproxy.rtc.MediaTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one UDP port all WebRTC peers share. A few I/O threads read it and run the whole packet
 * path inline. Each thread has its own socket on the port (SO_REUSEPORT): the kernel hashes a
 * peer's address to one socket, so one peer's packets stay in order on one thread (DTLS needs
 * its records in order, and the router's per-stream state is then touched by one thread). Demultiplexing (RFC 7983 by first byte): STUN goes to the session named by the
 * USERNAME's local ufrag and must carry a valid MESSAGE-INTEGRITY and FINGERPRINT; DTLS and
 * SRTP go to the session whose checks came from that address. Everything else is counted and
 * dropped without touching any session.
 */
public final class UdpMux implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UdpMux.class);

    private static final int BUFFER = 2048;
    private static final int SOCKET_BUFFER = 4 << 20;

    private final MuxSocket[] sockets;
    private final int port;
    private final LongSupplier nanoClock;
    private final MuxCounters counters = new MuxCounters();
    private final UnexpectedErrors unexpected = new UnexpectedErrors(log, "RTC media port");
    private final Map<String, WebRtcTransport> byUfrag = new ConcurrentHashMap<>();
    private final Map<SocketAddress, WebRtcTransport> byAddress = new ConcurrentHashMap<>();
    private final List<Thread> readers = new ArrayList<>();
    private final boolean loopbackOnly;
    private final java.util.concurrent.atomic.AtomicInteger senders = new java.util.concurrent.atomic.AtomicInteger();
    /** Per thread: its socket to send from and its send buffer. */
    private final ThreadLocal<SendBuffer> sendBuffers = ThreadLocal.withInitial(this::sendBufferForThisThread);
    private volatile boolean closed;

    /** Binds {@code bind} (port 0 picks one) and starts {@code threads} readers. */
    public UdpMux(InetSocketAddress bind, int threads, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        sockets = new MuxSocket[Math.max(1, threads)];
        boolean nativeUdp = LinuxUdpSocket.available();
        try {
            int bound = bind.getPort();
            if (bound != 0 && sockets.length > 1) {
                // SO_REUSEPORT would let us share a port another process already holds: probe first
                try (DatagramChannel probe = DatagramChannel.open()) {
                    probe.bind(bind);
                }
            }
            for (int i = 0; i < sockets.length; i++) {
                InetSocketAddress at = new InetSocketAddress(bind.getAddress(), bound);
                boolean reuse = sockets.length > 1;
                sockets[i] = nativeUdp ? new LinuxUdpSocket(at, reuse, SOCKET_BUFFER, 500, BUFFER + MediaTransport.TRAILER_ROOM,
                        counters.sendErrors::increment)
                        : new JdkUdpSocket(at, reuse, SOCKET_BUFFER);
                bound = sockets[i].localPort();
            }
            port = bound;
            // bound to loopback, we serve this host only: never answer (or send to) another address
            loopbackOnly = bind.getAddress() != null && bind.getAddress().isLoopbackAddress();
        } catch (IOException e) {
            closeSockets();
            for (MuxSocket socket : sockets) {
                if (socket != null) {
                    socket.release();
                }
            }
            throw new UncheckedIOException("cannot bind the RTC UDP port " + bind + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < sockets.length; i++) {
            MuxSocket socket = sockets[i];
            Thread t = new Thread(() -> readLoop(socket), "rtc-udp-" + port + "-" + i);
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
        log.info("RTC media on UDP port {} with {} I/O threads ({} sockets)", port, threads,
                nativeUdp ? "native" : "JDK");
        ReceiveBufferLimit.kernelMax().ifPresent(max -> ReceiveBufferLimit.warning(max, SOCKET_BUFFER, port).ifPresent(log::warn));
    }

    public int port() {
        return port;
    }

    public MuxCounters counters() {
        return counters;
    }

    /** Exceptions the receive path threw (bugs, each dropped its datagram). */
    public long unexpectedErrors() {
        return unexpected.count();
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    void register(WebRtcTransport t) {
        if (byUfrag.putIfAbsent(t.localUfrag(), t) != null) {
            throw new IllegalStateException("ICE ufrag collision");
        }
    }

    void unregister(WebRtcTransport t) {
        byUfrag.remove(t.localUfrag(), t);
        byAddress.values().removeIf(v -> v == t);
    }

    /** Sessions currently registered. */
    public int sessions() {
        return byUfrag.size();
    }

    /**
     * Ends every session whose DTLS is not up within its handshake timeout of the join (reason
     * "dtls-timeout": its handshake slot and thread are freed), and every one whose browser sent
     * no consent check for {@code timeoutNanos} (RFC 7675: 30 s). Called once a second by the
     * service; tests call it with a moved clock.
     */
    public void sweep(long timeoutNanos) {
        long now = nanoClock.getAsLong();
        for (WebRtcTransport t : byUfrag.values()) {
            if (t.handshakeOverdue(now)) {
                log.debug("{}: DTLS not up in time, session gone", t.localUfrag());
                t.expire("dtls-timeout");
            } else if (now - t.lastConsentNanos() > timeoutNanos) {
                log.info("{}: no consent for {} s, session gone", t.localUfrag(), timeoutNanos / 1_000_000_000L);
                t.expire("consent-timeout");
            }
        }
    }

    private void readLoop(MuxSocket socket) {
        SendBuffer own = sendBuffers.get();
        own.socket = socket; // what this thread sends goes out on its own socket
        own.batch = socket.readerBatch(); // and together, before it reads again
        byte[] buf = new byte[BUFFER + MediaTransport.TRAILER_ROOM];
        while (!closed) {
            InetSocketAddress from;
            try {
                from = socket.receive(buf, BUFFER);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.warn("RTC UDP receive failed: {}", e.toString());
                }
                continue;
            }
            if (from == null) {
                continue;
            }
            try {
                dispatch(buf, 0, socket.length(), from);
            } catch (RuntimeException e) {
                // bad input is counted by reason where it is recognised: this is a bug, yet one
                // packet or session must never stop the port
                unexpected.record(e);
            }
        }
    }

    /**
     * The whole receive path for one datagram: demultiplex, STUN/DTLS/SRTP, route, send. The I/O
     * threads call it; public so that the media benchmark can drive it directly.
     */
    public void dispatch(byte[] b, int off, int len, InetSocketAddress from) {
        counters.datagrams.increment();
        if (len < 1) {
            counters.garbage.increment();
            return;
        }
        int first = b[off] & 0xFF;
        if (first < 4) {
            if (loopbackOnly && !from.getAddress().isLoopbackAddress()) {
                counters.stunForeignSource.increment();
                return;
            }
            onStun(b, off, len, from);
        } else if (first >= 20 && first <= 63) {
            WebRtcTransport t = byAddress.get(from);
            if (t == null) {
                counters.dtlsUnknownAddress.increment();
                return;
            }
            t.onDtls(b, off, len);
        } else if (first >= 128 && first <= 191) {
            WebRtcTransport t = byAddress.get(from);
            if (t == null) {
                counters.srtpUnknownAddress.increment();
                return;
            }
            t.onSrtp(b, off, len, counters);
        } else {
            counters.garbage.increment();
        }
    }

    private void onStun(byte[] b, int off, int len, InetSocketAddress from) {
        if (!Stun.isStun(b, off, len)) {
            counters.garbage.increment();
            return;
        }
        if (Stun.messageType(b, off) != Stun.BINDING_REQUEST) {
            return; // indications (keepalives) and stray responses need no answer
        }
        String username = Stun.username(b, off, len);
        int colon = username == null ? -1 : username.indexOf(':');
        WebRtcTransport t = colon < 0 ? null : byUfrag.get(username.substring(0, colon));
        if (t == null || !username.substring(colon + 1).equals(t.remoteUfrag())) {
            counters.stunUnknownUser.increment();
            return;
        }
        if (!Stun.checkFingerprint(b, off, len)) {
            counters.stunBadFingerprint.increment();
            return;
        }
        if (!Stun.checkIntegrity(b, off, len, t.localKey())) {
            counters.stunBadIntegrity.increment();
            return;
        }
        boolean useCandidate = Stun.findAttribute(b, off, len, Stun.ATTR_USE_CANDIDATE) >= 0;
        byte[] out = new byte[128];
        int n = new StunWriter(out, 0, Stun.BINDING_SUCCESS, b, off + 8)
                .xorMappedAddress(from).integrity(t.localKey()).fingerprint().length();
        t.onConnectivityCheck(from, useCandidate); // sets the peer's address before DTLS can arrive from it
        byAddress.put(from, t);
        counters.stunChecks.increment();
        send(out, 0, n, from);
    }

    /**
     * Sends from the shared port on the calling thread's own socket: a reader's is the one it reads
     * (so the I/O threads never wait on each other's write lock); any other thread (transcoding
     * workers, SIP-leg RTP loops, DTLS) has one of them assigned in turn. The packet is copied into
     * the thread's own direct buffer (the copy the JDK would make of a heap buffer anyway), so no
     * allocation per packet whatever array it comes from.
     */
    void send(byte[] b, int off, int len, InetSocketAddress to) {
        SendBuffer sb = sendBuffers.get();
        if (sb.batch != null) {
            sb.batch.add(b, off, len, to);
            return;
        }
        if (closed || len > sb.direct.capacity()) {
            counters.sendErrors.increment();
            return;
        }
        ByteBuffer bb = sb.direct;
        bb.clear();
        bb.put(b, off, len).flip();
        try {
            sb.socket.send(bb, to);
        } catch (IOException e) {
            counters.sendErrors.increment();
        }
    }

    /**
     * A thread's first send: a socket in turn, and on a SIP leg's RTP I/O loop a batch of its own,
     * sent before the loop selects again (each of its rounds sends many calls' packets to browsers).
     */
    private SendBuffer sendBufferForThisThread() {
        SendBuffer sb = new SendBuffer(nextSocket());
        io.srproxy.media.rtp.RtpIoLoop loop = io.srproxy.media.rtp.RtpIoLoop.current();
        if (loop != null) {
            MuxSocket.SendBatch batch = sb.socket.newSendBatch();
            if (batch != null) {
                sb.batch = batch;
                loop.beforeEachSelect(batch::flush);
            }
        }
        return sb;
    }

    private MuxSocket nextSocket() {
        return sockets[Math.floorMod(senders.getAndIncrement(), sockets.length)];
    }

    /** A thread's socket and its send buffer. */
    private static final class SendBuffer {
        private MuxSocket socket;
        /** Where this thread's sends are queued (a reader's, or an I/O loop's), or null: sent at once. */
        private MuxSocket.SendBatch batch;
        private final ByteBuffer direct = ByteBuffer.allocateDirect(BUFFER + MediaTransport.TRAILER_ROOM);

        SendBuffer(MuxSocket socket) {
            this.socket = socket;
        }
    }

    private void closeSockets() {
        for (MuxSocket socket : sockets) {
            if (socket != null) {
                socket.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (WebRtcTransport t : new ArrayList<>(byUfrag.values())) {
            t.close();
        }
        closeSockets();
        for (Thread t : readers) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (MuxSocket socket : sockets) {
            socket.release();
        }
    }
}
