package io.srproxy.gateway;

import java.security.SecureRandom;

/**
 * Random identifiers the gateway makes up: RTC channel ids (9 digits, as ARCall does) and the
 * per-call RTM identities it invites apps from. A per-call identity starts with a prefix no app may
 * log in with (the RTM service refuses it), so it can never collide with a real user.
 */
public final class CallIdentities {

    /** Reserved for the gateway's per-call RTM users; remote logins with it are refused. */
    public static final String CALLER_PREFIX = io.srproxy.auth.LoginPolicy.GATEWAY_CALL_PREFIX;

    private static final SecureRandom RANDOM = new SecureRandom();

    private CallIdentities() {}

    public static String channelId() {
        return String.format("%09d", RANDOM.nextInt(1_000_000_000));
    }

    public static String perCallUid() {
        return CALLER_PREFIX + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    public static boolean isPerCallUid(String uid) {
        return uid != null && uid.startsWith(CALLER_PREFIX);
    }
}
