package io.srproxy.rtc.webrtc;

import io.srproxy.media.rtp.RtpHeader;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP on jitsi-srtp (used for AEAD_AES_128_GCM, where it runs OpenSSL's GCM): crypto
 * contexts are made once per SSRC and then looked up without allocating; jitsi-srtp and the JCE
 * allocate a little per packet themselves (see docs/benchmarks.md).
 */
final class JitsiSrtp implements SrtpTransform {

    private static final ThreadLocal<PacketBuffer> VIEW = ThreadLocal.withInitial(PacketBuffer::new);

    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory receiveFactory;
    private final SsrcMap<SrtpCryptoContext> sendRtp = new SsrcMap<>();
    private final SsrcMap<SrtpCryptoContext> receiveRtp = new SsrcMap<>();
    private final SsrcMap<SrtcpCryptoContext> sendRtcp = new SsrcMap<>();
    private final SsrcMap<SrtcpCryptoContext> receiveRtcp = new SsrcMap<>();
    private final SrtpProfile profile;

    JitsiSrtp(SrtpProfile profile, byte[] ourKey, byte[] ourSalt, byte[] theirKey, byte[] theirSalt) {
        this.profile = profile;
        LoggerImpl logger = new LoggerImpl(JitsiSrtp.class.getName());
        sendFactory = new SrtpContextFactory(true, ourKey, ourSalt, profile.policy(), profile.policy(), logger);
        receiveFactory = new SrtpContextFactory(false, theirKey, theirSalt, profile.policy(), profile.policy(), logger);
    }

    @Override
    public void forgetSendSsrc(int ssrc) {
        sendRtp.remove(ssrc);
        sendRtcp.remove(ssrc);
    }

    /** Encrypts and authenticates an RTP packet in place; returns its new length, or -1. */
    @Override
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
    @Override
    public int unprotectRtp(byte[] buf, int off, int len, SrtpSession.Failure failure) {
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

    @Override
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

    @Override
    public int unprotectRtcp(byte[] buf, int off, int len, SrtpSession.Failure failure) {
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

    @Override
    public void close() {
        sendFactory.close();
        receiveFactory.close();
    }

    /** A tiny copy-on-write map from SSRC to per-SSRC state: lookups allocate nothing and take no lock. */
    static final class SsrcMap<T> {
        private static final int MAX = 64;

        /** Keys and values replaced together, so a reader never pairs a key with another's value. */
        private record Table(int[] keys, Object[] values) {}

        private volatile Table table = new Table(new int[0], new Object[0]);

        @SuppressWarnings("unchecked")
        T get(int ssrc) {
            Table t = table;
            int[] k = t.keys;
            for (int i = 0; i < k.length; i++) {
                if (k[i] == ssrc) {
                    return (T) t.values[i];
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
            Table t = table;
            if (t.keys.length >= MAX) {
                throw new IllegalStateException("too many SSRCs");
            }
            Object[] v = java.util.Arrays.copyOf(t.values, t.values.length + 1);
            v[v.length - 1] = ctx;
            int[] k = java.util.Arrays.copyOf(t.keys, t.keys.length + 1);
            k[k.length - 1] = ssrc;
            table = new Table(k, v);
            return ctx;
        }

        /** Drops the context of {@code ssrc}, if any (an SSRC of ours that will not be used again). */
        synchronized void remove(int ssrc) {
            Table t = table;
            for (int i = 0; i < t.keys.length; i++) {
                if (t.keys[i] == ssrc) {
                    int n = t.keys.length - 1;
                    int[] k = new int[n];
                    Object[] v = new Object[n];
                    System.arraycopy(t.keys, 0, k, 0, i);
                    System.arraycopy(t.keys, i + 1, k, i, n - i);
                    System.arraycopy(t.values, 0, v, 0, i);
                    System.arraycopy(t.values, i + 1, v, i, n - i);
                    table = new Table(k, v);
                    return;
                }
            }
        }

        int size() {
            return table.keys.length;
        }
    }
}
