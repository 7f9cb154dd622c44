package io.srproxy.rtc.webrtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.SequenceGaps;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.rtc.MediaTransport;
import io.srproxy.rtc.PacketHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.jitsi.srtp.SrtpErrorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's WebRTC session on the shared port: ICE-lite (we answer checks, the browser
 * nominates), a DTLS server handshake on the endpoint's bounded pool (started by the browser's
 * first DTLS record, so a join that never gets that far holds no thread), then SRTP/SRTCP in and
 * out on the I/O threads. {@link UdpMux#sweep(long)} ends it when DTLS is not up within the
 * handshake timeout of the join, and when the browser is silent for the consent timeout.
 */
public final class WebRtcTransport implements MediaTransport {

    private static final Logger log = LoggerFactory.getLogger(WebRtcTransport.class);

    /** Connection states reported to the signalling. */
    public enum State { NEW, CHECKING, CONNECTED, FAILED, CLOSED }

    /** Hears state changes (on whatever thread made them; must not block). */
    @FunctionalInterface
    public interface StateListener {
        void onState(WebRtcTransport transport, State state, String reason);
    }

    private static final byte DTLS_ALERT = 21;

    /**
     * How this transport's DTLS handshake runs: on {@code pool}, within {@code timeoutMillis} of
     * the join; {@code settled} runs once, when the handshake succeeded, failed or was abandoned.
     */
    record Handshake(Executor pool, BcTlsCrypto crypto, DtlsCertificate identity, int timeoutMillis, Runnable settled) {}

    private final UdpMux mux;
    private final String localUfrag;
    private final String localPwd;
    private final byte[] localKey;
    private final String remoteUfrag;
    private final String remoteFingerprint;
    /** Replaced (never mutated) when a re-offer switches the audio codec; routes are then rebuilt. */
    private volatile List<PayloadFormat> codecs;
    private final long audioSsrc;
    private final long videoSsrc;
    private final StateListener listener;
    private final QueueDatagramTransport dtlsIn;
    private final Handshake handshake;
    private final long createdNanos;
    private final AtomicBoolean handshakeStarted = new AtomicBoolean();
    private final AtomicBoolean handshakeSettled = new AtomicBoolean();
    private static final ThreadLocal<SrtpSession.Failure> FAILURES = ThreadLocal.withInitial(SrtpSession.Failure::new);

    private volatile PacketHandler handler = PacketHandler.NONE;
    private volatile io.srproxy.rtc.RtpExtensions receivedExtensions = io.srproxy.rtc.RtpExtensions.NONE;
    private final SequenceGaps gaps = new SequenceGaps();
    private volatile InetSocketAddress remote;
    private volatile SrtpSession srtp;
    private volatile DTLSTransport dtls;
    private volatile State state = State.NEW;
    private volatile long lastConsentNanos;
    /** The o= line of our answers: a renegotiation keeps the session id and counts the version up. */
    private final long sdpSessionId = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 46);
    private long sdpVersion = 2;

    WebRtcTransport(UdpMux mux, String localUfrag, String localPwd, String remoteUfrag, String remoteFingerprint,
                    List<PayloadFormat> codecs, long audioSsrc, long videoSsrc, StateListener listener, Handshake handshake) {
        this.mux = mux;
        this.localUfrag = localUfrag;
        this.localPwd = localPwd;
        this.localKey = localPwd.getBytes(StandardCharsets.UTF_8);
        this.remoteUfrag = remoteUfrag;
        this.remoteFingerprint = remoteFingerprint;
        this.codecs = List.copyOf(codecs);
        this.audioSsrc = audioSsrc;
        this.videoSsrc = videoSsrc;
        this.listener = listener == null ? (t, s, r) -> {} : listener;
        this.dtlsIn = new QueueDatagramTransport((b, o, l) -> {
            InetSocketAddress to = remote;
            if (to != null) {
                mux.send(b, o, l, to);
            }
        });
        this.handshake = handshake;
        this.createdNanos = mux.nanoTime();
        this.lastConsentNanos = createdNanos;
    }

    /** Starts the DTLS server on the pool once the browser's first record (its ClientHello) is queued. */
    private void startDtls() {
        if (!handshakeStarted.compareAndSet(false, true)) {
            return;
        }
        try {
            handshake.pool().execute(this::runDtls);
        } catch (RejectedExecutionException e) {
            log.info("{}: no DTLS handshake slot free", localUfrag);
            setState(State.FAILED, "dtls-busy");
        }
    }

    /** True when DTLS is still not up {@code timeout} after the join: the sweep then ends the session. */
    boolean handshakeOverdue(long nowNanos) {
        State s = state;
        return (s == State.NEW || s == State.CHECKING)
                && nowNanos - createdNanos > handshake.timeoutMillis() * 1_000_000L;
    }

    private void runDtls() {
        if (state == State.CLOSED || state == State.FAILED) {
            return; // abandoned while it waited for a thread
        }
        DtlsSrtpServer server = new DtlsSrtpServer(handshake.crypto(), handshake.identity(), remoteFingerprint,
                handshake.timeoutMillis());
        try {
            DTLSServerProtocol protocol = new DTLSServerProtocol();
            protocol.setVerifyRequests(false); // ICE already proved the peer's address
            DTLSTransport t = protocol.accept(server, dtlsIn);
            if (state == State.CLOSED) {
                t.close();
                return;
            }
            dtls = t;
            srtp = new SrtpSession(server.keys(), true);
            log.info("{}: DTLS-SRTP up with {} ({})", localUfrag, remote, server.keys().profile());
            setState(State.CONNECTED, "dtls");
        } catch (Exception e) {
            if (state != State.CLOSED) {
                log.info("{}: DTLS handshake failed: {}", localUfrag, e.toString());
                setState(State.FAILED, "dtls-failed: " + e.getMessage());
            }
        }
    }

    public String localUfrag() {
        return localUfrag;
    }

    String localPwd() {
        return localPwd;
    }

    byte[] localKey() {
        return localKey;
    }

    String remoteUfrag() {
        return remoteUfrag;
    }

    String remoteFingerprint() {
        return remoteFingerprint;
    }

    long sdpSessionId() {
        return sdpSessionId;
    }

    /** The next answer's o= version (called by one signalling session at a time). */
    synchronized long nextSdpVersion() {
        return ++sdpVersion;
    }

    public State state() {
        return state;
    }

    /** The address ICE selected, or null before the first check. */
    public InetSocketAddress remote() {
        return remote;
    }

    long lastConsentNanos() {
        return lastConsentNanos;
    }

    /** A valid Binding request from {@code from} (already authenticated by the mux). */
    void onConnectivityCheck(InetSocketAddress from, boolean useCandidate) {
        lastConsentNanos = mux.nanoTime();
        if (remote == null || (useCandidate && !from.equals(remote))) {
            remote = from;
        }
        if (state == State.NEW) {
            setState(State.CHECKING, "ice");
        }
    }

    /** A DTLS record from the selected address. */
    void onDtls(byte[] b, int off, int len) {
        if (srtp != null) {
            if (b[off] == DTLS_ALERT) {
                // after the handshake an alert from the browser means close_notify: it is gone
                setState(State.CLOSED, "dtls-closed");
            }
            return; // data channels are not offered; retransmissions need nothing
        }
        dtlsIn.offer(b, off, len);
        startDtls();
    }

    /** An SRTP or SRTCP packet from the selected address; decrypted in place and handed on. */
    void onSrtp(byte[] b, int off, int len, MuxCounters counters) {
        SrtpSession s = srtp;
        if (s == null) {
            counters.srtpBeforeKeys.increment();
            return;
        }
        SrtpSession.Failure f = FAILURES.get();
        boolean rtcp = RtpHeader.isRtcp(b, off, len);
        int n = rtcp ? s.unprotectRtcp(b, off, len, f) : s.unprotectRtp(b, off, len, f);
        if (n < 0) {
            if (f.last == SrtpErrorStatus.AUTH_FAIL) {
                counters.srtpAuthFailed.increment();
            } else if (f.last == SrtpErrorStatus.REPLAY_FAIL || f.last == SrtpErrorStatus.REPLAY_OLD) {
                counters.srtpReplayed.increment();
            } else {
                counters.srtpOtherFailure.increment();
            }
            return;
        }
        if (rtcp) {
            counters.rtcpIn.increment();
            handler.onRtcp(b, off, n);
        } else {
            counters.media.received(len);
            counters.media.sequenceChange(gaps.onPacket(RtpHeader.ssrc(b, off), RtpHeader.sequence(b, off)));
            handler.onRtp(b, off, n);
        }
    }

    @Override
    public io.srproxy.rtc.RtpExtensions receivedExtensions() {
        return receivedExtensions;
    }

    /** Set from each answer we give (join, renegotiation). */
    void setReceivedExtensions(io.srproxy.rtc.RtpExtensions extensions) {
        this.receivedExtensions = extensions;
    }

    @Override
    public void setHandler(PacketHandler handler) {
        this.handler = handler == null ? PacketHandler.NONE : handler;
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        SrtpSession s = srtp;
        InetSocketAddress to = remote;
        if (s == null || to == null) {
            return;
        }
        int n = s.protectRtp(buf, off, len);
        if (n > 0) {
            mux.send(buf, off, n, to);
            mux.counters().media.sent(n);
        }
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        SrtpSession s = srtp;
        InetSocketAddress to = remote;
        if (s == null || to == null) {
            return;
        }
        int n = s.protectRtcp(buf, off, len);
        if (n > 0) {
            mux.send(buf, off, n, to);
        }
    }

    @Override
    public List<PayloadFormat> codecs() {
        return codecs;
    }

    /** A renegotiation changed the negotiated codecs (the audio codec switched): the channel rewires. */
    void switchCodecs(List<PayloadFormat> next) {
        codecs = List.copyOf(next);
    }

    @Override
    public void retireSendSsrc(long ssrc) {
        SrtpSession s = srtp;
        if (s != null) {
            s.forgetSendSsrc(ssrc);
        }
    }

    @Override
    public long sendSsrc(MediaKind kind) {
        return kind == MediaKind.AUDIO ? audioSsrc : videoSsrc;
    }

    @Override
    public String describe() {
        return "webrtc " + localUfrag + (remote == null ? "" : " " + remote);
    }

    /** Ends the session because the browser stopped answering consent (RFC 7675). */
    void expire(String reason) {
        setState(State.FAILED, reason);
        close();
    }

    private void setState(State next, String reason) {
        if (next != State.CHECKING && next != State.NEW && handshakeSettled.compareAndSet(false, true)) {
            handshake.settled().run(); // the endpoint's handshake slot is free again
        }
        State prev;
        synchronized (this) {
            prev = state;
            if (prev == next || prev == State.CLOSED || (prev == State.FAILED && next != State.CLOSED)) {
                return;
            }
            state = next;
        }
        listener.onState(this, next, reason);
    }

    @Override
    public void close() {
        setState(State.CLOSED, "closed");
        mux.unregister(this);
        dtlsIn.close();
        DTLSTransport t = dtls;
        if (t != null) {
            try {
                t.close(); // sends close_notify
            } catch (java.io.IOException | RuntimeException ignored) {
                // best effort
            }
        }
        SrtpSession s = srtp;
        if (s != null) {
            s.close();
        }
    }
}
