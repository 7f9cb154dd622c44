package io.srproxy.rtc.webrtc;

import io.srproxy.rtc.rtp.RtpHeader;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.BaseSrtpCryptoContext;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP for one peer (RFC 3711 on jitsi-srtp): protects what we send with our keys and
 * unprotects what the peer sends with its keys, with replay protection on receive. Works in place
 * on the caller's array, which needs {@link #TRAILER_ROOM} spare bytes after the packet.
 * Crypto contexts are made once per SSRC and then looked up without allocating.
 */
public final class SrtpSession implements AutoCloseable {

    /** Spare bytes a caller leaves after a packet for the tag and SRTCP index. */
    public static final int TRAILER_ROOM = 32;

    private static final ThreadLocal<PacketBuffer> VIEW = ThreadLocal.withInitial(PacketBuffer::new);

    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory receiveFactory;
    private final SsrcMap<SrtpCryptoContext> sendRtp = new SsrcMap<>();
    private final SsrcMap<SrtpCryptoContext> receiveRtp = new SsrcMap<>();
    private final SsrcMap<SrtcpCryptoContext> sendRtcp = new SsrcMap<>();
    private final SsrcMap<SrtcpCryptoContext> receiveRtcp = new SsrcMap<>();
    private final SrtpProfile profile;

    /** {@code server}: we are the DTLS server, so we send with the server's keys. */
    public SrtpSession(SrtpKeys keys, boolean server) {
        this.profile = keys.profile();
        LoggerImpl logger = new LoggerImpl(SrtpSession.class.getName());
        byte[] ourKey = server ? keys.serverKey() : keys.clientKey();
        byte[] ourSalt = server ? keys.serverSalt() : keys.clientSalt();
        byte[] theirKey = server ? keys.clientKey() : keys.serverKey();
        byte[] theirSalt = server ? keys.clientSalt() : keys.serverSalt();
        sendFactory = new SrtpContextFactory(true, ourKey, ourSalt, profile.policy(), profile.policy(), logger);
        receiveFactory = new SrtpContextFactory(false, theirKey, theirSalt, profile.policy(), profile.policy(), logger);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Encrypts and authenticates an RTP packet in place; returns its new length, or -1. */
    public int protectRtp(byte[] buf, int off, int len) {
        try {
            SrtpCryptoContext ctx = sendRtp.get((int) RtpHeader.ssrc(buf, off));
            if (ctx == null) {
                ctx = sendRtp.put((int) RtpHeader.ssrc(buf, off), sendFactory.deriveContext((int) RtpHeader.ssrc(buf, off), 0));
            }
            PacketBuffer p = VIEW.get().wrap(buf, off, len);
            return ctx.transformPacket(p) == SrtpErrorStatus.OK ? p.getLength() : -1;
        } catch (GeneralSecurityException e) {
            return -1;
        }
    }

    /** Authenticates, replay-checks and decrypts in place; returns the RTP length or the failure. */
    public int unprotectRtp(byte[] buf, int off, int len, Failure failure) {
        if (len < RtpHeader.FIXED_HEADER_LENGTH + profile.overhead()) {
            failure.last = SrtpErrorStatus.INVALID_PACKET;
            return -1;
        }
        try {
            int ssrc = (int) RtpHeader.ssrc(buf, off);
            SrtpCryptoContext ctx = receiveRtp.get(ssrc);
            if (ctx == null) {
                ctx = receiveRtp.put(ssrc, receiveFactory.deriveContext(ssrc, 0));
            }
            PacketBuffer p = VIEW.get().wrap(buf, off, len);
            SrtpErrorStatus s = ctx.reverseTransformPacket(p, false);
            failure.last = s;
            return s == SrtpErrorStatus.OK ? p.getLength() : -1;
        } catch (GeneralSecurityException | RuntimeException e) {
            failure.last = SrtpErrorStatus.FAIL;
            return -1;
        }
    }

    public int protectRtcp(byte[] buf, int off, int len) {
        try {
            int ssrc = (int) RtpHeader.readUint32(buf, off + 4);
            SrtcpCryptoContext ctx = sendRtcp.get(ssrc);
            if (ctx == null) {
                ctx = sendRtcp.put(ssrc, sendFactory.deriveControlContext(ssrc));
            }
            PacketBuffer p = VIEW.get().wrap(buf, off, len);
            return ctx.transformPacket(p) == SrtpErrorStatus.OK ? p.getLength() : -1;
        } catch (GeneralSecurityException e) {
            return -1;
        }
    }

    public int unprotectRtcp(byte[] buf, int off, int len, Failure failure) {
        if (len < 8 + 4 + profile.overhead()) {
            failure.last = SrtpErrorStatus.INVALID_PACKET;
            return -1;
        }
        try {
            int ssrc = (int) RtpHeader.readUint32(buf, off + 4);
            SrtcpCryptoContext ctx = receiveRtcp.get(ssrc);
            if (ctx == null) {
                ctx = receiveRtcp.put(ssrc, receiveFactory.deriveControlContext(ssrc));
            }
            PacketBuffer p = VIEW.get().wrap(buf, off, len);
            SrtpErrorStatus s = ctx.reverseTransformPacket(p);
            failure.last = s;
            return s == SrtpErrorStatus.OK ? p.getLength() : -1;
        } catch (GeneralSecurityException | RuntimeException e) {
            failure.last = SrtpErrorStatus.FAIL;
            return -1;
        }
    }

    /** Why the last unprotect failed (a per-thread holder, so nothing is allocated). */
    public static final class Failure {
        public SrtpErrorStatus last = SrtpErrorStatus.OK;
    }

    @Override
    public void close() {
        sendFactory.close();
        receiveFactory.close();
    }

    /** A tiny copy-on-write map from SSRC to context: lookups allocate nothing and take no lock. */
    static final class SsrcMap<T extends BaseSrtpCryptoContext> {
        private static final int MAX = 64;
        private volatile int[] keys = new int[0];
        private volatile Object[] values = new Object[0];

        @SuppressWarnings("unchecked")
        T get(int ssrc) {
            int[] k = keys;
            Object[] v = values;
            for (int i = 0; i < k.length && i < v.length; i++) {
                if (k[i] == ssrc) {
                    return (T) v[i];
                }
            }
            return null;
        }

        /** Adds a context; a peer with too many SSRCs (a flood of made-up ones) gets no more. */
        synchronized T put(int ssrc, T ctx) {
            T existing = get(ssrc);
            if (existing != null) {
                return existing;
            }
            if (keys.length >= MAX) {
                throw new IllegalStateException("too many SSRCs");
            }
            Object[] v = java.util.Arrays.copyOf(values, values.length + 1);
            v[v.length - 1] = ctx;
            int[] k = java.util.Arrays.copyOf(keys, keys.length + 1);
            k[k.length - 1] = ssrc;
            values = v;
            keys = k;
            return ctx;
        }
    }
}
