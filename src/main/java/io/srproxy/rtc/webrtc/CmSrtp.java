package io.srproxy.rtc.webrtc;

import io.srproxy.media.rtp.RtpHeader;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * SRTP/SRTCP with AES128_CM_HMAC_SHA1_80 (RFC 3711) on the JCE, without allocating per packet:
 * the AES-CM keystream comes from AES/ECB over counter blocks into reused arrays, and HMAC-SHA1 is
 * built on a reused SHA-1 digest. Key derivation (section 4.3, kdr 0), rollover counter estimation
 * (appendix A) and a 64-packet replay window per SSRC. Checked against libsrtp's known-answer
 * vectors and against jitsi-srtp packet by packet.
 *
 * <p>A session keeps only what its keys make (the AES key schedule, the HMAC pads, the salt); the
 * work arrays and the SHA-1 digest belong to the calling thread ({@link Scratch}). With a thousand
 * sessions on a port, a packet's SRTP otherwise touched an estimated 40 cache lines of its session,
 * cold since its last packet 20 ms before: about 3 us a packet against 0.5 with one session.
 */
final class CmSrtp implements SrtpTransform {

    private static final int TAG = 10;
    private static final int MAX_PACKET = 2048;

    private final Direction rtpOut;
    private final Direction rtpIn;
    private final Direction rtcpOut;
    private final Direction rtcpIn;
    private final JitsiSrtp.SsrcMap<SendState> sendRtp = new JitsiSrtp.SsrcMap<>();
    private final JitsiSrtp.SsrcMap<ReceiveState> receiveRtp = new JitsiSrtp.SsrcMap<>();
    private final JitsiSrtp.SsrcMap<SendState> sendRtcp = new JitsiSrtp.SsrcMap<>();
    private final JitsiSrtp.SsrcMap<ReceiveState> receiveRtcp = new JitsiSrtp.SsrcMap<>();

    CmSrtp(byte[] ourKey, byte[] ourSalt, byte[] theirKey, byte[] theirSalt) {
        rtpOut = new Direction(ourKey, ourSalt, 0);
        rtcpOut = new Direction(ourKey, ourSalt, 3);
        rtpIn = new Direction(theirKey, theirSalt, 0);
        rtcpIn = new Direction(theirKey, theirSalt, 3);
    }

    @Override
    public void forgetSendSsrc(int ssrc) {
        sendRtp.remove(ssrc);
        sendRtcp.remove(ssrc);
    }

    @Override
    public int protectRtp(byte[] b, int off, int len) {
        if (len < RtpHeader.FIXED_HEADER_LENGTH || len > MAX_PACKET || off + len + TAG > b.length) {
            return -1;
        }
        int header = RtpHeader.headerLength(b, off, len);
        if (header > len) {
            return -1;
        }
        int ssrc = (int) RtpHeader.ssrc(b, off);
        int seq = RtpHeader.sequence(b, off);
        SendState st = sendRtp.get(ssrc);
        if (st == null) {
            st = sendRtp.put(ssrc, new SendState());
        }
        Scratch s = Scratch.mine();
        synchronized (rtpOut) {
            long roc = st.rocFor(seq);
            rtpOut.crypt(s, b, off + header, len - header, ssrc, (roc << 16) | seq);
            rtpOut.hmac(s, b, off, len, (int) roc, true);
            System.arraycopy(s.tag, 0, b, off + len, TAG);
        }
        return len + TAG;
    }

    @Override
    public int unprotectRtp(byte[] b, int off, int len, SrtpSession.Failure failure) {
        int body = len - TAG;
        if (body < RtpHeader.FIXED_HEADER_LENGTH || body > MAX_PACKET || RtpHeader.headerLength(b, off, body) > body) {
            failure.last = SrtpErrorStatus.INVALID_PACKET;
            return -1;
        }
        int ssrc = (int) RtpHeader.ssrc(b, off);
        int seq = RtpHeader.sequence(b, off);
        ReceiveState st = receiveRtp.get(ssrc);
        if (st == null) {
            try {
                st = receiveRtp.put(ssrc, new ReceiveState());
            } catch (IllegalStateException tooMany) {
                failure.last = SrtpErrorStatus.FAIL;
                return -1;
            }
        }
        Scratch s = Scratch.mine();
        synchronized (rtpIn) {
            long index = st.guessIndex(seq);
            SrtpErrorStatus replay = st.check(index);
            if (replay != SrtpErrorStatus.OK) {
                failure.last = replay;
                return -1;
            }
            rtpIn.hmac(s, b, off, body, (int) (index >>> 16), true);
            if (!s.tagMatches(b, off + body)) {
                failure.last = SrtpErrorStatus.AUTH_FAIL;
                return -1;
            }
            int header = RtpHeader.headerLength(b, off, body);
            rtpIn.crypt(s, b, off + header, body - header, ssrc, index);
            st.accept(index);
        }
        failure.last = SrtpErrorStatus.OK;
        return body;
    }

    @Override
    public int protectRtcp(byte[] b, int off, int len) {
        if (len < 8 || len > MAX_PACKET || off + len + 4 + TAG > b.length) {
            return -1;
        }
        int ssrc = (int) RtpHeader.readUint32(b, off + 4);
        SendState st = sendRtcp.get(ssrc);
        if (st == null) {
            st = sendRtcp.put(ssrc, new SendState());
        }
        Scratch s = Scratch.mine();
        synchronized (rtcpOut) {
            int index = st.nextRtcpIndex();
            rtcpOut.crypt(s, b, off + 8, len - 8, ssrc, index);
            RtpHeader.writeUint32(b, off + len, 0x80000000L | index);
            rtcpOut.hmac(s, b, off, len + 4, 0, false);
            System.arraycopy(s.tag, 0, b, off + len + 4, TAG);
        }
        return len + 4 + TAG;
    }

    @Override
    public int unprotectRtcp(byte[] b, int off, int len, SrtpSession.Failure failure) {
        int body = len - TAG - 4;
        if (body < 8 || body > MAX_PACKET) {
            failure.last = SrtpErrorStatus.INVALID_PACKET;
            return -1;
        }
        int ssrc = (int) RtpHeader.readUint32(b, off + 4);
        long eIndex = RtpHeader.readUint32(b, off + body);
        long index = eIndex & 0x7FFFFFFFL;
        ReceiveState st = receiveRtcp.get(ssrc);
        if (st == null) {
            try {
                st = receiveRtcp.put(ssrc, new ReceiveState());
            } catch (IllegalStateException tooMany) {
                failure.last = SrtpErrorStatus.FAIL;
                return -1;
            }
        }
        Scratch s = Scratch.mine();
        synchronized (rtcpIn) {
            SrtpErrorStatus replay = st.check(index);
            if (replay != SrtpErrorStatus.OK) {
                failure.last = replay;
                return -1;
            }
            rtcpIn.hmac(s, b, off, body + 4, 0, false);
            if (!s.tagMatches(b, off + body + 4)) {
                failure.last = SrtpErrorStatus.AUTH_FAIL;
                return -1;
            }
            if ((eIndex & 0x80000000L) != 0) {
                rtcpIn.crypt(s, b, off + 8, body - 8, ssrc, index);
            }
            st.accept(index);
        }
        failure.last = SrtpErrorStatus.OK;
        return body;
    }

    @Override
    public void close() {
        // nothing native to free
    }

    /** A sender's rollover counter (RTP) or SRTCP index, per SSRC. */
    static final class SendState {
        private boolean started;
        private int lastSeq;
        private long roc;
        private int rtcpIndex;

        /** The ROC for {@code seq}: counts wraps of the sequence number, tolerates reordering. */
        long rocFor(int seq) {
            if (!started) {
                started = true;
                lastSeq = seq;
                return roc;
            }
            int ahead = (seq - lastSeq) & 0xFFFF;
            if (ahead < 0x8000) {
                if (seq < lastSeq) {
                    roc = (roc + 1) & 0xFFFFFFFFL;
                }
                lastSeq = seq;
                return roc;
            }
            return seq > lastSeq ? (roc - 1) & 0xFFFFFFFFL : roc; // an older packet sent late
        }

        int nextRtcpIndex() {
            int i = rtcpIndex;
            rtcpIndex = (rtcpIndex + 1) & 0x7FFFFFFF;
            return i;
        }
    }

    /** A receiver's highest index and 64-packet replay window, per SSRC (RFC 3711 section 3.3.2). */
    static final class ReceiveState {
        private boolean started;
        private long highest;
        private long window;

        /** Appendix A: the packet index from the sequence number and the highest index seen. */
        long guessIndex(int seq) {
            if (!started) {
                return seq;
            }
            long roc = highest >>> 16;
            int sl = (int) (highest & 0xFFFF);
            long v;
            if (sl < 0x8000) {
                v = seq - sl > 0x8000 ? roc - 1 : roc;
            } else {
                v = sl - 0x8000 > seq ? roc + 1 : roc;
            }
            return (v << 16) | seq;
        }

        SrtpErrorStatus check(long index) {
            if (!started || index > highest) {
                return index < 0 ? SrtpErrorStatus.REPLAY_OLD : SrtpErrorStatus.OK;
            }
            long behind = highest - index;
            if (behind >= 64) {
                return SrtpErrorStatus.REPLAY_OLD;
            }
            return (window & (1L << behind)) != 0 ? SrtpErrorStatus.REPLAY_FAIL : SrtpErrorStatus.OK;
        }

        /** Records an authenticated packet. */
        void accept(long index) {
            if (!started) {
                started = true;
                highest = index;
                window = 1;
            } else if (index > highest) {
                long ahead = index - highest;
                window = ahead < 64 ? (window << ahead) | 1 : 1;
                highest = index;
            } else {
                window |= 1L << (highest - index);
            }
        }
    }

    /**
     * The calling thread's work arrays and SHA-1 digest: nothing in them outlives one call of
     * {@link Direction#crypt} or {@link Direction#hmac}, so every session can use the same ones.
     */
    static final class Scratch {
        private static final ThreadLocal<Scratch> MINE = ThreadLocal.withInitial(Scratch::new);

        private final MessageDigest sha1;
        private final byte[] counters = new byte[MAX_PACKET + 16];
        private final byte[] keystream = new byte[MAX_PACKET + 16];
        private final byte[] digest = new byte[20];
        private final byte[] rocBytes = new byte[4];
        /** The HMAC just computed: its first {@link #TAG} bytes are the tag. */
        final byte[] tag = new byte[20];

        private Scratch() {
            try {
                sha1 = MessageDigest.getInstance("SHA-1");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-1 unavailable", e);
            }
        }

        static Scratch mine() {
            return MINE.get();
        }

        /** Constant-time comparison of the 80-bit tag at {@code p} with the one just computed. */
        boolean tagMatches(byte[] b, int p) {
            int diff = 0;
            for (int i = 0; i < TAG; i++) {
                diff |= b[p + i] ^ tag[i];
            }
            return diff == 0;
        }
    }

    /** Session keys of one direction of SRTP or SRTCP: the AES key schedule, the salt, the HMAC pads. */
    static final class Direction {
        private final Cipher aes;
        private final byte[] salt;
        private final byte[] innerPad = new byte[64];
        private final byte[] outerPad = new byte[64];

        /** Derives this direction's keys from the master key and salt; {@code label} 0 = SRTP, 3 = SRTCP. */
        Direction(byte[] masterKey, byte[] masterSalt, int label) {
            try {
                Cipher master = Cipher.getInstance("AES/ECB/NoPadding");
                master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
                byte[] encKey = prf(master, masterSalt, label, masterKey.length);
                byte[] authKey = prf(master, masterSalt, label + 1, 20);
                salt = prf(master, masterSalt, label + 2, 14);
                aes = Cipher.getInstance("AES/ECB/NoPadding");
                aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(encKey, "AES"));
                for (int i = 0; i < 64; i++) {
                    byte k = i < authKey.length ? authKey[i] : 0;
                    innerPad[i] = (byte) (k ^ 0x36);
                    outerPad[i] = (byte) (k ^ 0x5C);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES unavailable", e);
            }
        }

        /** RFC 3711 4.3.1/4.3.3: AES-CM keystream of the master key at x = salt XOR label. */
        private static byte[] prf(Cipher master, byte[] masterSalt, int label, int n) throws GeneralSecurityException {
            byte[] iv = new byte[16];
            System.arraycopy(masterSalt, 0, iv, 0, 14);
            iv[7] ^= (byte) label;
            int blocks = (n + 15) / 16;
            byte[] ctr = new byte[blocks * 16];
            for (int j = 0; j < blocks; j++) {
                System.arraycopy(iv, 0, ctr, j * 16, 16);
                ctr[j * 16 + 15] = (byte) j;
            }
            byte[] out = master.doFinal(ctr);
            return java.util.Arrays.copyOf(out, n);
        }

        /** XORs AES-CM keystream for (ssrc, index) over {@code len} bytes at {@code p}. */
        void crypt(Scratch s, byte[] b, int p, int len, int ssrc, long index) {
            if (len <= 0) {
                return;
            }
            byte[] counters = s.counters;
            byte[] keystream = s.keystream;
            int blocks = (len + 15) / 16;
            for (int j = 0; j < blocks; j++) {
                int c = j * 16;
                System.arraycopy(salt, 0, counters, c, 14);
                counters[c + 4] ^= (byte) (ssrc >>> 24);
                counters[c + 5] ^= (byte) (ssrc >>> 16);
                counters[c + 6] ^= (byte) (ssrc >>> 8);
                counters[c + 7] ^= (byte) ssrc;
                counters[c + 8] ^= (byte) (index >>> 40);
                counters[c + 9] ^= (byte) (index >>> 32);
                counters[c + 10] ^= (byte) (index >>> 24);
                counters[c + 11] ^= (byte) (index >>> 16);
                counters[c + 12] ^= (byte) (index >>> 8);
                counters[c + 13] ^= (byte) index;
                counters[c + 14] = (byte) (j >>> 8);
                counters[c + 15] = (byte) j;
            }
            try {
                aes.update(counters, 0, blocks * 16, keystream, 0);
            } catch (javax.crypto.ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < len; i++) {
                b[p + i] ^= keystream[i];
            }
        }

        /** HMAC-SHA1 over {@code len} bytes at {@code p}, then the ROC when {@code withRoc}; into {@code s.tag}. */
        void hmac(Scratch s, byte[] b, int p, int len, int roc, boolean withRoc) {
            MessageDigest sha1 = s.sha1;
            byte[] rocBytes = s.rocBytes;
            byte[] digest = s.digest;
            try {
                sha1.reset(); // in case a call before this one was cut short: the digest is the thread's
                sha1.update(innerPad, 0, 64);
                sha1.update(b, p, len);
                if (withRoc) {
                    rocBytes[0] = (byte) (roc >>> 24);
                    rocBytes[1] = (byte) (roc >>> 16);
                    rocBytes[2] = (byte) (roc >>> 8);
                    rocBytes[3] = (byte) roc;
                    sha1.update(rocBytes, 0, 4);
                }
                sha1.digest(digest, 0, 20);
                sha1.update(outerPad, 0, 64);
                sha1.update(digest, 0, 20);
                sha1.digest(s.tag, 0, 20);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
