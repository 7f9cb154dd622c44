package io.srproxy.rtc.webrtc;

/**
 * Keys exported from a DTLS-SRTP handshake (RFC 5764 section 4.2): the client's and the
 * server's master key and salt, and the profile they are for.
 */
public record SrtpKeys(SrtpProfile profile, byte[] clientKey, byte[] clientSalt, byte[] serverKey, byte[] serverSalt) {

    /** Splits the exporter output: client key, server key, client salt, server salt. */
    public static SrtpKeys fromExporter(SrtpProfile profile, byte[] material) {
        int k = profile.keyLength;
        int s = profile.saltLength;
        byte[] ck = java.util.Arrays.copyOfRange(material, 0, k);
        byte[] sk = java.util.Arrays.copyOfRange(material, k, 2 * k);
        byte[] cs = java.util.Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] ss = java.util.Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
        return new SrtpKeys(profile, ck, cs, sk, ss);
    }

    public static int exporterLength(SrtpProfile profile) {
        return 2 * (profile.keyLength + profile.saltLength);
    }
}
