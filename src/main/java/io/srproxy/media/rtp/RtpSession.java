package io.srproxy.media.rtp;

import io.srproxy.media.MediaCounters;
import io.srproxy.media.SequenceGaps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-RTP media of one SIP leg: a UDP port pair, RTP and RTCP only from the peer (the SDP
 * address, or the source latched onto for a peer behind NAT: {@link RtpSourceGuard}), RTCP SR/RR,
 * a no-media event, and RFC 4733 telephone-events both ways.
 *
 * <p>The receive path runs on the thread of its {@link RtpIoLoop} (one of {@link RtpIoLoops}) and allocates nothing; the packet
 * handler gets every RTP packet from the peer that is not a telephone-event.
 */
public final class RtpSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtpSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Per sending thread (RTP loops, transcoding workers), a direct buffer the packet is copied into
     * (the copy the JDK makes of a heap buffer anyway): no allocation per packet, whatever array
     * the packet comes from.
     */
    private static final ThreadLocal<ByteBuffer> SEND_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(2048));
    /** Per sending thread, where a packet is protected (the caller's array may be forwarded elsewhere too). */
    private static final ThreadLocal<byte[]> PROTECT_BUFFER = ThreadLocal.withInitial(() -> new byte[2048]);

    /** Timing knobs ({@code noMedia} zero switches the no-media event off) and {@code [media] rtp_latching}. */
    public record Options(Duration noMedia, Duration rtcpInterval, RtpLatching latching) {
        public Options(Duration noMedia, Duration rtcpInterval) {
            this(noMedia, rtcpInterval, RtpLatching.AUTO);
        }

        public static Options of(int rtpTimeoutSeconds) {
            return of(rtpTimeoutSeconds, RtpLatching.AUTO);
        }

        public static Options of(int rtpTimeoutSeconds, RtpLatching latching) {
            return new Options(Duration.ofSeconds(rtpTimeoutSeconds), Duration.ofSeconds(5), latching);
        }
    }

    private final RtpPortAllocator ports;
    private final RtpPortAllocator.PortPair pair;
    private final RtpIoLoop io;
    private final ScheduledExecutorService timers;
    private final LongSupplier nanoClock;
    private final Options options;
    private final RtpSessionListener listener;
    private final RtpReceiveStats stats = new RtpReceiveStats();
    private final MediaCounters counters;
    private final SequenceGaps gaps = new SequenceGaps();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledFuture<?> rtcpTask;
    private final ScheduledFuture<?> noMediaTask;
    private final byte[] rtcpOut = new byte[128];

    private volatile RtpPacketHandler handler = (b, o, l) -> { };
    /** SRTP (or none) with keys the signalling agreed; see {@link #protect}. */
    private volatile RtpProtection protection;
    private final RtpSourceGuard guard;
    private volatile int telephoneEventPt = -1;
    private volatile int clockRate = 8000;
    private volatile int eventClockRate = 8000;
    private volatile long lastReceiveNanos;
    private volatile boolean noMediaReported;
    private long lastEventTimestamp = -1;

    // our own outgoing stream (audio we build and telephone-events)
    private final long ssrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    private int sequence = RANDOM.nextInt(0x10000);
    private long timestamp = RANDOM.nextInt() & 0xFFFFFFFFL;
    private long lastSendNanos;
    private volatile long sentPackets;
    private volatile long sentOctets;
    private volatile long lastSentTimestamp;
    private volatile long lastSentSsrc = -1;
    private final byte[] out = new byte[1500];
    private final Object sendLock = new Object();

    private RtpSession(RtpPortAllocator ports, RtpPortAllocator.PortPair pair, RtpIoLoop io,
                       ScheduledExecutorService timers, LongSupplier nanoClock, Options options,
                       RtpSessionListener listener, MediaCounters counters) {
        this.counters = counters;
        this.ports = ports;
        this.pair = pair;
        this.io = io;
        this.timers = timers;
        this.nanoClock = nanoClock;
        this.options = options;
        this.listener = listener == null ? new RtpSessionListener() { } : listener;
        this.lastReceiveNanos = nanoClock.getAsLong();
        this.guard = new RtpSourceGuard(options.latching(), counters.strayDropped);
        long rtcpMs = options.rtcpInterval().toMillis();
        this.rtcpTask = timers.scheduleWithFixedDelay(this::sendReport, rtcpMs, rtcpMs, TimeUnit.MILLISECONDS);
        this.noMediaTask = options.noMedia().isZero() ? null
                : timers.scheduleWithFixedDelay(this::checkMedia, 1, 1, TimeUnit.SECONDS);
        io.sessionOpened();
        io.register(pair.rtp(), this::onRtpPort);
        io.register(pair.rtcp(), this::onRtcpPort);
    }

    /** Allocates a port pair and starts reading it. */
    public static RtpSession open(RtpPortAllocator ports, RtpIoLoop io, ScheduledExecutorService timers,
                                  LongSupplier nanoClock, Options options, RtpSessionListener listener)
            throws IOException {
        return open(ports, io, timers, nanoClock, options, listener, new MediaCounters());
    }

    /** As above, adding what it receives and sends to {@code counters} (shared by the agent's sessions). */
    public static RtpSession open(RtpPortAllocator ports, RtpIoLoop io, ScheduledExecutorService timers,
                                  LongSupplier nanoClock, Options options, RtpSessionListener listener,
                                  MediaCounters counters) throws IOException {
        return new RtpSession(ports, ports.allocate(), io, timers, nanoClock, options, listener, counters);
    }

    public InetSocketAddress localRtpAddress() {
        return new InetSocketAddress(ports.bindAddress(), pair.rtpPort());
    }

    public InetSocketAddress localRtcpAddress() {
        return new InetSocketAddress(ports.bindAddress(), pair.rtpPort() + 1);
    }

    /**
     * Where the peer said it receives (from SDP): we send there and accept media only from there,
     * unless latching moves both to where the peer really sends from. The same addresses again
     * (a re-INVITE for hold or refresh) keep a latch; new ones start over.
     */
    public void setRemote(InetSocketAddress rtp, InetSocketAddress rtcp, boolean mux) {
        if (guard.setRemote(rtp, rtcp, mux)) {
            this.lastReceiveNanos = nanoClock.getAsLong();
            this.noMediaReported = false;
        }
    }

    /** The payload types the peer may send (negotiated audio and telephone-event); a latch needs one. */
    public void setPayloadTypes(int... payloadTypes) {
        guard.setPayloadTypes(payloadTypes);
    }

    /** Where we send RTP: the SDP address or the latched source; null before the SDP. */
    public InetSocketAddress remoteRtpAddress() {
        RtpSourceGuard.Target t = guard.target();
        return t == null ? null : t.rtp();
    }

    /**
     * The negotiated telephone-event payload type (-1 = none) and its clock, which counts event
     * durations, and the audio clock, which counts timestamps (they differ for Opus beside 8 kHz
     * events).
     */
    public void setTelephoneEvent(int payloadType, int eventClockRate, int audioClockRate) {
        this.telephoneEventPt = payloadType;
        this.eventClockRate = eventClockRate;
        this.clockRate = audioClockRate;
    }

    /**
     * From now on, protects what is sent and unprotects what arrives with {@code p} (null = plain
     * RTP again); a packet that fails to unprotect is dropped and counted as stray. The previous
     * protection is closed.
     */
    public void protect(RtpProtection p) {
        RtpProtection old = protection;
        protection = p;
        if (old != null && old != p) {
            old.close();
        }
    }

    /** Whether the session's media is protected (SRTP; with DTLS-SRTP, once the handshake keyed it). */
    public boolean isProtected() {
        RtpProtection p = protection;
        return p != null && p.keyed();
    }

    public void setPacketHandler(RtpPacketHandler handler) {
        this.handler = handler == null ? (b, o, l) -> { } : handler;
    }

    /** Sends a complete RTP packet as it is (e.g. forwarded from another member). */
    public void sendRtp(byte[] buf, int off, int len) {
        RtpSourceGuard.Target t = guard.target();
        InetSocketAddress to = t == null ? null : t.rtp();
        if (to == null || closed.get()) {
            return;
        }
        try {
            RtpProtection p = protection;
            if (p == null) {
                pair.rtp().send(wrap(buf, off, len), to);
            } else {
                byte[] b = PROTECT_BUFFER.get();
                if (len + RtpProtection.TRAILER_ROOM > b.length) {
                    return;
                }
                System.arraycopy(buf, off, b, 0, len);
                int n = p.protectRtp(b, 0, len);
                if (n < 0) {
                    return;
                }
                pair.rtp().send(wrap(b, 0, n), to);
            }
            counters.sent(len);
            sentPackets++;
            sentOctets += Math.max(0, RtpHeader.payloadLength(buf, off, len));
            lastSentTimestamp = RtpHeader.timestamp(buf, off);
            lastSentSsrc = RtpHeader.ssrc(buf, off);
        } catch (IOException e) {
            log.debug("RTP send to {} failed: {}", to, e.toString());
        }
    }

    private static ByteBuffer wrap(byte[] buf, int off, int len) {
        ByteBuffer b = SEND_BUFFER.get();
        b.clear();
        b.put(buf, off, Math.min(len, b.capacity())).flip();
        return b;
    }

    /** Sends one frame of our own stream: {@code samples} advances the timestamp afterwards. */
    public void sendPayload(int payloadType, byte[] payload, int off, int len, int samples, boolean marker) {
        synchronized (sendLock) {
            int at = RtpHeader.writeFixed(out, 0, marker, payloadType, sequence, timestamp, ssrc);
            System.arraycopy(payload, off, out, at, len);
            sequence = (sequence + 1) & 0xFFFF;
            timestamp = (timestamp + samples) & 0xFFFFFFFFL;
            lastSendNanos = nanoClock.getAsLong();
            sendRtp(out, 0, at + len);
        }
    }

    /**
     * Sends an RFC 4733 digit lasting {@code durationMillis}: a start packet with the marker,
     * updates every 50 ms and three end packets, all with the timestamp of the start.
     */
    public void sendTelephoneEvent(char digit, int durationMillis) {
        int code = TelephoneEvent.code(digit);
        int pt = telephoneEventPt;
        if (code < 0) {
            throw new IllegalArgumentException("not a DTMF digit: '" + digit + "'");
        }
        if (pt < 0) {
            throw new IllegalStateException("no telephone-event payload type was negotiated");
        }
        long start;
        int seq;
        synchronized (sendLock) {
            long elapsed = (nanoClock.getAsLong() - lastSendNanos) * clockRate / 1_000_000_000L;
            start = (timestamp + Math.max(0, elapsed)) & 0xFFFFFFFFL;
            seq = sequence;
        }
        int rate = eventClockRate;
        int total = durationMillis * rate / 1000;
        int step = 50 * rate / 1000;
        int updates = Math.max(1, durationMillis / 50);
        for (int i = 0; i <= updates + 2; i++) {
            int n = i;
            boolean end = i >= updates;
            int duration = end ? total : Math.min(total, step * (i + 1));
            long delay = Math.min(i, updates) * 50L;
            timers.schedule(() -> sendEventPacket(pt, code, n == 0, end, duration, start), delay, TimeUnit.MILLISECONDS);
        }
        synchronized (sendLock) {
            timestamp = (start + (long) durationMillis * clockRate / 1000) & 0xFFFFFFFFL;
            lastSendNanos = nanoClock.getAsLong() + durationMillis * 1_000_000L;
        }
    }

    private void sendEventPacket(int pt, int code, boolean marker, boolean end, int duration, long ts) {
        synchronized (sendLock) {
            int at = RtpHeader.writeFixed(out, 0, marker, pt, sequence, ts, ssrc);
            TelephoneEvent.write(out, at, code, end, 10, duration);
            sequence = (sequence + 1) & 0xFFFF;
            sendRtp(out, 0, at + TelephoneEvent.PAYLOAD_LENGTH);
        }
    }

    /**
     * Sends a handshake datagram (DTLS) to the peer's RTP address, or its RTCP address (the RTP one
     * with rtcp-mux) for {@code rtcpComponent}; false when the peer's address is not known yet.
     * Not a media path: it allocates.
     */
    public boolean sendHandshake(boolean rtcpComponent, byte[] buf, int off, int len) {
        RtpSourceGuard.Target t = guard.target();
        if (t == null || closed.get()) {
            return false;
        }
        boolean viaRtp = !rtcpComponent || t.mux();
        InetSocketAddress to = viaRtp ? t.rtp() : t.rtcp();
        try {
            (viaRtp ? pair.rtp() : pair.rtcp()).send(ByteBuffer.wrap(buf, off, len), to);
            return true;
        } catch (IOException e) {
            log.debug("handshake send to {} failed: {}", to, e.toString());
            return false;
        }
    }

    /** RFC 7983: a first byte of 20..63 is DTLS. */
    private static boolean isDtls(byte[] b, int len) {
        return len > 13 && b[0] >= 20 && b[0] <= 63;
    }

    /** A DTLS record: only from the peer's address for that port, and only to a protection that takes it. */
    private void onDtls(boolean rtcpPort, byte[] b, int len, InetSocketAddress from) {
        RtpSourceGuard.Target t = guard.target();
        RtpProtection p = protection;
        InetSocketAddress expected = t == null ? null : rtcpPort ? t.rtcp() : t.rtp();
        if (p == null || !from.equals(expected)) {
            counters.strayDropped.increment();
            return;
        }
        p.onDtlsRecord(rtcpPort, b, 0, len);
    }

    private void onRtpPort(byte[] b, int len, InetSocketAddress from) {
        if (isDtls(b, len)) {
            onDtls(false, b, len, from);
            return;
        }
        if (RtpHeader.isRtcp(b, 0, len)) {
            if (guard.onRtcpOnRtpPort(from)) {
                onRtcp(b, len);
            }
            return;
        }
        if (!RtpHeader.isRtp(b, 0, len)) {
            return;
        }
        // the source check reads only the header, which SRTP leaves in clear: strays are dropped
        // before any decryption work
        switch (guard.onRtp(b, len, from)) {
            case RtpSourceGuard.ACCEPT -> { }
            case RtpSourceGuard.ACCEPT_MOVED -> listener.onLatched(from);
            default -> {
                return; // a stray, or a source we are still making sure of
            }
        }
        RtpProtection p = protection;
        if (p != null) {
            len = p.unprotectRtp(b, 0, len);
            if (len < 0) {
                counters.strayDropped.increment(); // forged, replayed or keyed otherwise
                return;
            }
        }
        counters.received(len);
        counters.sequenceChange(gaps.onPacket(RtpHeader.ssrc(b, 0), RtpHeader.sequence(b, 0)));
        long now = nanoClock.getAsLong();
        lastReceiveNanos = now;
        noMediaReported = false;
        stats.onPacket(RtpHeader.ssrc(b, 0), RtpHeader.sequence(b, 0), RtpHeader.timestamp(b, 0),
                now / 1_000_000L * clockRate / 1000);
        if (RtpHeader.payloadType(b, 0) == telephoneEventPt) {
            onTelephoneEvent(b, len);
            return;
        }
        handler.onRtp(b, 0, len);
    }

    private void onTelephoneEvent(byte[] b, int len) {
        int at = RtpHeader.headerLength(b, 0, len);
        if (RtpHeader.payloadLength(b, 0, len) < TelephoneEvent.PAYLOAD_LENGTH) {
            return;
        }
        long ts = RtpHeader.timestamp(b, 0);
        if (TelephoneEvent.end(b, at) && ts != lastEventTimestamp) {
            lastEventTimestamp = ts; // the end packet is sent three times; report it once
            listener.onTelephoneEvent(TelephoneEvent.digit(TelephoneEvent.event(b, at)),
                    TelephoneEvent.duration(b, at) * 1000 / eventClockRate);
        }
    }

    private void onRtcpPort(byte[] b, int len, InetSocketAddress from) {
        if (isDtls(b, len)) {
            onDtls(true, b, len, from);
            return;
        }
        if (guard.onRtcpPort(from)) {
            onRtcp(b, len);
        }
    }

    private void onRtcp(byte[] b, int len) {
        RtpProtection p = protection;
        if (p != null && (len = p.unprotectRtcp(b, 0, len)) < 0) {
            return;
        }
        Rtcp.Report report = Rtcp.parse(b, 0, len);
        if (report == null) {
            return;
        }
        if (report.type() == Rtcp.SR) {
            stats.onSenderReport(report.ntpMiddle32(), nanoClock.getAsLong());
        }
        listener.onRtcp(report);
    }

    private void sendReport() {
        RtpSourceGuard.Target t = guard.target();
        InetSocketAddress to = t == null ? null : t.rtcp();
        if (to == null || closed.get()) {
            return;
        }
        try {
            Rtcp.ReportBlock block = stats.block(nanoClock.getAsLong());
            int len;
            long ourSsrc = lastSentSsrc >= 0 ? lastSentSsrc : ssrc;
            if (sentPackets > 0) {
                len = Rtcp.writeSenderReport(rtcpOut, 0, ourSsrc, Rtcp.ntp(System.currentTimeMillis()),
                        lastSentTimestamp, sentPackets, sentOctets, block);
            } else {
                len = Rtcp.writeReceiverReport(rtcpOut, 0, ourSsrc, block);
            }
            RtpProtection p = protection;
            if (p != null && (len = p.protectRtcp(rtcpOut, 0, len)) < 0) {
                return;
            }
            DatagramChannel ch = t.mux() ? pair.rtp() : pair.rtcp();
            ch.send(ByteBuffer.wrap(rtcpOut, 0, len), to);
        } catch (IOException | RuntimeException e) {
            log.debug("RTCP send to {} failed: {}", to, e.toString());
        }
    }

    private void checkMedia() {
        if (guard.target() == null || noMediaReported || closed.get()) {
            return;
        }
        long silent = (nanoClock.getAsLong() - lastReceiveNanos) / 1_000_000L;
        if (silent >= options.noMedia().toMillis()) {
            noMediaReported = true;
            listener.onNoMedia(silent);
        }
    }

    /** RTP packets received from the peer so far. */
    public long receivedPackets() {
        return stats.received();
    }

    /** Packets dropped because they came from another source than the peer. */
    public long strayPackets() {
        return guard.strays();
    }

    public long sentPackets() {
        return sentPackets;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Stops the timers, stops reading and gives the port pair back. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        rtcpTask.cancel(false);
        if (noMediaTask != null) {
            noMediaTask.cancel(false);
        }
        io.unregister(pair.rtp());
        io.unregister(pair.rtcp());
        io.sessionClosed();
        ports.release(pair);
        RtpProtection p = protection;
        if (p != null) {
            p.close();
        }
    }
}
