package io.srproxy.rtc.webrtc;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Builds one STUN message into a buffer: header, attributes, then integrity and fingerprint. */
public final class StunWriter {

    private final byte[] buf;
    private final int off;
    private int pos;

    public StunWriter(byte[] buf, int off, int type, byte[] transactionId, int txOff) {
        this.buf = buf;
        this.off = off;
        Stun.writeShort(buf, off, type);
        Stun.writeShort(buf, off + 2, 0);
        Stun.writeInt(buf, off + 4, Stun.MAGIC_COOKIE);
        System.arraycopy(transactionId, txOff, buf, off + 8, 12);
        pos = off + Stun.HEADER_LENGTH;
    }

    public StunWriter attribute(int type, byte[] value) {
        Stun.writeShort(buf, pos, type);
        Stun.writeShort(buf, pos + 2, value.length);
        System.arraycopy(value, 0, buf, pos + 4, value.length);
        int padded = (value.length + 3) & ~3;
        for (int i = value.length; i < padded; i++) {
            buf[pos + 4 + i] = 0;
        }
        pos += 4 + padded;
        Stun.writeShort(buf, off + 2, pos - off - Stun.HEADER_LENGTH);
        return this;
    }

    public StunWriter username(String username) {
        return attribute(Stun.ATTR_USERNAME, username.getBytes(StandardCharsets.UTF_8));
    }

    public StunWriter xorMappedAddress(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        byte[] v = new byte[4 + ip.length];
        v[1] = (byte) (ip.length == 4 ? 1 : 2);
        Stun.writeShort(v, 2, address.getPort() ^ (Stun.MAGIC_COOKIE >>> 16));
        for (int i = 0; i < ip.length; i++) {
            v[4 + i] = (byte) (ip[i] ^ buf[off + 4 + i]);
        }
        return attribute(Stun.ATTR_XOR_MAPPED_ADDRESS, v);
    }

    public StunWriter integrity(byte[] key) {
        byte[] mac = Stun.integrity(buf, off, pos - off, key);
        return attribute(Stun.ATTR_MESSAGE_INTEGRITY, mac);
    }

    public StunWriter fingerprint() {
        int crc = Stun.fingerprint(buf, off, pos - off);
        byte[] v = new byte[4];
        Stun.writeInt(v, 0, crc);
        return attribute(Stun.ATTR_FINGERPRINT, v);
    }

    /** The message length so far (header included). */
    public int length() {
        return pos - off;
    }
}
