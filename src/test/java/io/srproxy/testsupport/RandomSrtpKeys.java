package io.srproxy.testsupport;

import io.srproxy.rtc.webrtc.SrtpKeys;
import io.srproxy.rtc.webrtc.SrtpProfile;
import java.util.Random;

/** AES128_CM_HMAC_SHA1_80 keys and salts for both sides, from {@code random}: for tests and benchmarks. */
public final class RandomSrtpKeys {

    private RandomSrtpKeys() {}

    public static SrtpKeys of(Random random) {
        byte[] clientKey = new byte[16];
        byte[] clientSalt = new byte[14];
        byte[] serverKey = new byte[16];
        byte[] serverSalt = new byte[14];
        random.nextBytes(clientKey);
        random.nextBytes(clientSalt);
        random.nextBytes(serverKey);
        random.nextBytes(serverSalt);
        return new SrtpKeys(SrtpProfile.AES128_CM_HMAC_SHA1_80, clientKey, clientSalt, serverKey, serverSalt);
    }
}
