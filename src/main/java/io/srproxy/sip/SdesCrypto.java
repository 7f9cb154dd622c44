package io.srproxy.sip;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One SDES key (RFC 4568): an {@code a=crypto} line's tag and the master key and salt of its
 * {@code inline:} parameter. Only AES_CM_128_HMAC_SHA1_80 is taken, without MKI and without
 * session parameters (they would change what the keys mean); other lines are skipped.
 */
record SdesCrypto(int tag, byte[] keySalt) {

    static final String SUITE = "AES_CM_128_HMAC_SHA1_80";
    private static final int KEY_SALT_LENGTH = 30;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh key of ours. */
    static SdesCrypto generate(int tag) {
        byte[] k = new byte[KEY_SALT_LENGTH];
        RANDOM.nextBytes(k);
        return new SdesCrypto(tag, k);
    }

    /** The same key under another tag (an answer echoes the tag of the offer's line it accepts). */
    SdesCrypto withTag(int t) {
        return new SdesCrypto(t, keySalt);
    }

    /** The {@code a=crypto} value: {@code 1 AES_CM_128_HMAC_SHA1_80 inline:<base64>}. */
    String attribute() {
        return tag + " " + SUITE + " inline:" + Base64.getEncoder().encodeToString(keySalt);
    }

    /** The first line of {@code values} (a=crypto values in order) that we can use, else null. */
    static SdesCrypto firstUsable(List<String> values) {
        for (String v : values) {
            SdesCrypto c = parse(v);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** One a=crypto value, or null when it is malformed or not something we take. */
    static SdesCrypto parse(String value) {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 3 || !parts[1].equals(SUITE)
                || !parts[2].regionMatches(true, 0, "inline:", 0, 7) || parts[2].contains(";")) {
            return null; // another suite, session parameters, or several keys
        }
        try {
            int tag = Integer.parseInt(parts[0]);
            String inline = parts[2].substring(7);
            int bar = inline.indexOf('|');
            if (bar >= 0) {
                String rest = inline.substring(bar + 1).toLowerCase(Locale.ROOT);
                if (rest.contains(":")) {
                    return null; // an MKI: we send none and take none
                }
                inline = inline.substring(0, bar); // a lifetime: far beyond any call
            }
            byte[] key = Base64.getDecoder().decode(inline);
            return tag >= 0 && tag <= 999_999_999 && key.length == KEY_SALT_LENGTH ? new SdesCrypto(tag, key) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
