package io.srproxy.rtc.webrtc;

import io.srproxy.media.rtp.RtpProtection;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SRTP for a SIP leg keyed by DTLS on the leg's own media ports (RFC 5763/5764), beside
 * {@link SdesSrtp} whose keys come in the SDP. One DTLS association per component: the RTP port's
 * keys SRTP, the RTCP port's (when the peer does not multiplex RTCP) key SRTCP. Until the RTP
 * component is keyed every media packet is dropped both ways. The handshakes run on
 * {@link DtlsHandshakes}' pool; the client starts at {@link #begin}, the server at the peer's first
 * record. If the RTP component is not keyed within the timeout of {@link #begin}, the listener hears
 * {@code failed} once and the leg stops (the RTCP component failing only costs RTCP).
 */
public final class DtlsSrtpLeg implements RtpProtection {

    private static final Logger log = LoggerFactory.getLogger(DtlsSrtpLeg.class);

    /** Our side of the handshake: from the SDP's a=setup (RFC 4145). */
    public enum Role { CLIENT, SERVER }

    /** Sends a DTLS datagram to the peer's RTP or RTCP address; false when it cannot yet. */
    @FunctionalInterface
    public interface Sender {
        boolean send(boolean rtcpComponent, byte[] buf, int off, int len);
    }

    /** Hears the outcome once, on a handshake or timer thread (must not block). */
    public interface Listener {
        void secure(SrtpProfile profile);

        void failed(String reason);
    }

    private final DtlsHandshakes handshakes;
    private final Role role;
    private final String peerFingerprint;
    private final Sender sender;
    private final Listener listener;
    private final Component rtp;
    private final Component rtcp;
    private final AtomicBoolean settled = new AtomicBoolean();
    /** Unprotect runs on the session's one I/O loop thread only. */
    private final SrtpSession.Failure failure = new SrtpSession.Failure();
    private volatile boolean closed;
    private volatile ScheduledFuture<?> deadline;

    DtlsSrtpLeg(DtlsHandshakes handshakes, Role role, String peerFingerprint, boolean rtcpMux, Sender sender,
                Listener listener) {
        this.handshakes = handshakes;
        this.role = role;
        this.peerFingerprint = peerFingerprint;
        this.sender = sender;
        this.listener = listener;
        this.rtp = new Component(false);
        this.rtcp = rtcpMux ? null : new Component(true);
    }

    public Role role() {
        return role;
    }

    /** The peer fingerprint this leg checks against (a re-offer with another one needs a new leg). */
    public String peerFingerprint() {
        return peerFingerprint;
    }

    /** The peer's address is known: the timeout starts, and as client the handshakes do. */
    public void begin() {
        if (deadline != null || closed) {
            return;
        }
        int ms = handshakes.timeoutMillis();
        deadline = handshakes.timers().schedule(() -> {
            if (rtp.srtp == null) {
                fail("DTLS-SRTP handshake not done within " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms"));
            }
        }, ms, TimeUnit.MILLISECONDS);
        if (role == Role.CLIENT) {
            rtp.start();
            if (rtcp != null) {
                rtcp.start();
            }
        }
    }

    @Override
    public void onDtlsRecord(boolean rtcpPort, byte[] buf, int off, int len) {
        Component c = rtcpPort && rtcp != null ? rtcp : rtp;
        c.onRecord(buf, off, len);
    }

    @Override
    public boolean keyed() {
        return rtp.srtp != null;
    }

    /** The SRTP profile the RTP component agreed, or null before. */
    public SrtpProfile profile() {
        SrtpSession s = rtp.srtp;
        return s == null ? null : s.profile();
    }

    @Override
    public int protectRtp(byte[] buf, int off, int len) {
        SrtpSession s = rtp.srtp;
        return s == null ? -1 : s.protectRtp(buf, off, len);
    }

    @Override
    public int unprotectRtp(byte[] buf, int off, int len) {
        SrtpSession s = rtp.srtp;
        return s == null ? -1 : s.unprotectRtp(buf, off, len, failure);
    }

    @Override
    public int protectRtcp(byte[] buf, int off, int len) {
        SrtpSession s = rtcpSession();
        return s == null ? -1 : s.protectRtcp(buf, off, len);
    }

    @Override
    public int unprotectRtcp(byte[] buf, int off, int len) {
        SrtpSession s = rtcpSession();
        return s == null ? -1 : s.unprotectRtcp(buf, off, len, failure);
    }

    private SrtpSession rtcpSession() {
        return rtcp == null ? rtp.srtp : rtcp.srtp;
    }

    private void fail(String reason) {
        if (settled.compareAndSet(false, true) && !closed) {
            log.info("DTLS-SRTP leg failed: {}", reason);
            close();
            listener.failed(reason);
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        rtp.close();
        if (rtcp != null) {
            rtcp.close();
        }
    }

    /** One DTLS association: the RTP port's, or the RTCP port's. */
    private final class Component {
        private final boolean isRtcp;
        private final QueueDatagramTransport in;
        private final AtomicBoolean started = new AtomicBoolean();
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile SrtpSession srtp;
        private volatile DTLSTransport dtls;

        Component(boolean isRtcp) {
            this.isRtcp = isRtcp;
            this.in = new QueueDatagramTransport((b, o, l) -> {
                if (!sender.send(isRtcp, b, o, l)) {
                    throw new IOException("peer address not known");
                }
            });
        }

        private String name() {
            return isRtcp ? "RTCP" : "RTP";
        }

        void onRecord(byte[] b, int off, int len) {
            if (closed) {
                return;
            }
            DTLSTransport t = dtls;
            if (t != null) {
                // keyed: the peer resends its last flight because ours was lost (or sends an alert);
                // BouncyCastle resends ours when the transport reads it. Rare, so a pool task each
                if (in.offer(b, off, len)) {
                    try {
                        handshakes.pool().execute(() -> readAfterHandshake(t));
                    } catch (RejectedExecutionException busy) {
                        // the peer resends again
                    }
                }
                return;
            }
            in.offer(b, off, len);
            start();
        }

        private void readAfterHandshake(DTLSTransport t) {
            try {
                byte[] buf = new byte[t.getReceiveLimit()];
                t.receive(buf, 0, buf.length, 10); // no application data is carried: anything read is dropped
            } catch (IOException | RuntimeException e) {
                log.debug("DTLS {} after the handshake: {}", name(), e.toString());
            }
        }

        void start() {
            if (closed || !started.compareAndSet(false, true)) {
                return;
            }
            try {
                handshakes.pool().execute(this::run);
            } catch (RejectedExecutionException e) {
                failComponent("no DTLS handshake slot free");
            }
        }

        private void run() {
            if (closed) {
                return; // abandoned while it waited for a thread
            }
            try {
                SrtpKeys keys;
                DTLSTransport t;
                int ms = handshakes.timeoutMillis();
                if (role == Role.SERVER) {
                    DtlsSrtpServer server = new DtlsSrtpServer(handshakes.crypto(), handshakes.identity(), peerFingerprint, ms);
                    DTLSServerProtocol protocol = new DTLSServerProtocol();
                    protocol.setVerifyRequests(false); // the source address is the SDP's (or latched) already
                    t = protocol.accept(server, in);
                    keys = server.keys();
                } else {
                    DtlsSrtpClient client = new DtlsSrtpClient(handshakes.crypto(), handshakes.identity(), peerFingerprint, ms);
                    t = new DTLSClientProtocol().connect(client, in);
                    keys = client.keys();
                }
                dtls = t;
                srtp = new SrtpSession(keys, role == Role.SERVER);
                if (closed || closing.get()) {
                    closeKeyed(t);
                    return;
                }
                log.info("DTLS-SRTP {} up as {} ({})", name(), role, keys.profile());
                if (!isRtcp && settled.compareAndSet(false, true)) {
                    ScheduledFuture<?> d = deadline;
                    if (d != null) {
                        d.cancel(false);
                    }
                    listener.secure(keys.profile());
                }
            } catch (Exception e) {
                if (!closed) {
                    failComponent("DTLS-SRTP handshake (" + name() + ") failed: " + e.getMessage());
                }
            }
        }

        /** The leg closed while this handshake finished: what it made is closed here. */
        private void closeKeyed(DTLSTransport t) {
            try {
                t.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
            srtp.close();
        }

        private void failComponent(String reason) {
            if (isRtcp) {
                log.info("{}; the call goes on without RTCP", reason);
                close();
            } else {
                fail(reason);
            }
        }

        void close() {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            in.close();
            DTLSTransport t = dtls;
            if (t != null) {
                try {
                    t.close(); // close_notify
                } catch (IOException | RuntimeException ignored) {
                    // best effort
                }
            }
            SrtpSession s = srtp;
            if (s != null) {
                s.close();
            }
        }
    }
}
