package io.srproxy.rtc.webrtc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * STUN (RFC 5389) as ICE-lite needs it: recognise a message, read its attributes, check
 * MESSAGE-INTEGRITY (short-term credentials) and FINGERPRINT, and write Binding responses.
 * Works on the caller's buffer; checked against the RFC 5769 vectors.
 */
public final class Stun {

    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;

    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    public static final int BINDING_INDICATION = 0x0011;

    public static final int ATTR_MAPPED_ADDRESS = 0x0001;
    public static final int ATTR_USERNAME = 0x0006;
    public static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
    public static final int ATTR_ERROR_CODE = 0x0009;
    public static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
    public static final int ATTR_PRIORITY = 0x0024;
    public static final int ATTR_USE_CANDIDATE = 0x0025;
    public static final int ATTR_SOFTWARE = 0x8022;
    public static final int ATTR_FINGERPRINT = 0x8028;
    public static final int ATTR_ICE_CONTROLLED = 0x8029;
    public static final int ATTR_ICE_CONTROLLING = 0x802A;

    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int INTEGRITY_LENGTH = 20;

    private Stun() {}

    /** RFC 7983 demultiplexing: first byte 0..3, the magic cookie, a 4-aligned length that fits. */
    public static boolean isStun(byte[] b, int off, int len) {
        return len >= HEADER_LENGTH
                && (b[off] & 0xC0) == 0
                && readInt(b, off + 4) == MAGIC_COOKIE
                && (messageLength(b, off) & 3) == 0
                && HEADER_LENGTH + messageLength(b, off) <= len;
    }

    public static int messageType(byte[] b, int off) {
        return readShort(b, off);
    }

    public static int messageLength(byte[] b, int off) {
        return readShort(b, off + 2);
    }

    /**
     * Offset of the first attribute of {@code type} (its value starts 4 bytes later), or -1.
     * Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored, as RFC 5389 says.
     */
    public static int findAttribute(byte[] b, int off, int len, int type) {
        int end = off + Math.min(len, HEADER_LENGTH + messageLength(b, off));
        int p = off + HEADER_LENGTH;
        boolean afterIntegrity = false;
        while (p + 4 <= end) {
            int t = readShort(b, p);
            int l = readShort(b, p + 2);
            if (p + 4 + l > end) {
                return -1;
            }
            if (t == type && (!afterIntegrity || t == ATTR_FINGERPRINT)) {
                return p;
            }
            afterIntegrity |= t == ATTR_MESSAGE_INTEGRITY;
            p += 4 + ((l + 3) & ~3);
        }
        return -1;
    }

    public static int attributeLength(byte[] b, int attrOffset) {
        return readShort(b, attrOffset + 2);
    }

    /** The USERNAME attribute as text, or null when absent. */
    public static String username(byte[] b, int off, int len) {
        int a = findAttribute(b, off, len, ATTR_USERNAME);
        return a < 0 ? null : new String(b, a + 4, attributeLength(b, a), StandardCharsets.UTF_8);
    }

    /** True when the message has a FINGERPRINT attribute, last, that matches. */
    public static boolean checkFingerprint(byte[] b, int off, int len) {
        int a = findAttribute(b, off, len, ATTR_FINGERPRINT);
        if (a < 0 || attributeLength(b, a) != 4 || a + 8 != off + HEADER_LENGTH + messageLength(b, off)) {
            return false;
        }
        return readInt(b, a + 4) == fingerprint(b, off, a - off);
    }

    /** True when MESSAGE-INTEGRITY is present and matches HMAC-SHA1 under {@code key}. */
    public static boolean checkIntegrity(byte[] b, int off, int len, byte[] key) {
        int a = findAttribute(b, off, len, ATTR_MESSAGE_INTEGRITY);
        if (a < 0 || attributeLength(b, a) != INTEGRITY_LENGTH) {
            return false;
        }
        byte[] expected = integrity(b, off, a - off, key);
        byte[] actual = new byte[INTEGRITY_LENGTH];
        System.arraycopy(b, a + 4, actual, 0, INTEGRITY_LENGTH);
        return MessageDigest.isEqual(expected, actual);
    }

    /** The XOR-MAPPED-ADDRESS attribute, or null when absent or malformed. */
    public static InetSocketAddress xorMappedAddress(byte[] b, int off, int len) {
        int a = findAttribute(b, off, len, ATTR_XOR_MAPPED_ADDRESS);
        if (a < 0) {
            return null;
        }
        int length = attributeLength(b, a);
        if (length != 8 && length != 20) {
            return null; // checked first: a short attribute may end the datagram
        }
        int family = b[a + 5];
        int port = readShort(b, a + 6) ^ (MAGIC_COOKIE >>> 16);
        int n = family == 1 ? 4 : family == 2 ? 16 : 0;
        if (n == 0 || length != 4 + n) {
            return null;
        }
        byte[] ip = new byte[n];
        for (int i = 0; i < n; i++) {
            ip[i] = (byte) (b[a + 8 + i] ^ b[off + 4 + i]); // cookie then transaction id, in order
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** HMAC-SHA1 over the first {@code upTo} bytes with the length field covering the integrity. */
    static byte[] integrity(byte[] b, int off, int upTo, byte[] key) {
        byte[] copy = new byte[upTo];
        System.arraycopy(b, off, copy, 0, upTo);
        writeShort(copy, 2, upTo - HEADER_LENGTH + 4 + INTEGRITY_LENGTH);
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(copy);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /** CRC-32 XOR 0x5354554E over the first {@code upTo} bytes, the length field covering it. */
    static int fingerprint(byte[] b, int off, int upTo) {
        CRC32 crc = new CRC32();
        byte[] header = new byte[4];
        System.arraycopy(b, off, header, 0, 4);
        writeShort(header, 2, upTo - HEADER_LENGTH + 8);
        crc.update(header, 0, 4);
        crc.update(b, off + 4, upTo - 4);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    static int readShort(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static void writeShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
