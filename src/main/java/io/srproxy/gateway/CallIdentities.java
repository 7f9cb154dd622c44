package io.srproxy.gateway;

import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Identifiers the gateway makes up: RTC channel ids (9 digits, as ARCall does) and the per-call RTM
 * identities it invites apps from. A per-call identity is {@code sip~} and the caller's number
 * ({@code sip~1005}, {@code sip~+8613800000000}), so an app that shows the caller's id shows who
 * is calling; the prefix is one no app may log in with (the RTM service refuses it), so a phone
 * can never pass for a real user. Each identity is held by one call at a time: a second call from
 * the same number meanwhile gets {@code sip~1005~2}; a number that is empty or not fit for a uid
 * gets a random identity instead.
 */
public final class CallIdentities {

    /** Reserved for the gateway's per-call RTM users; remote logins with it are refused. */
    public static final String CALLER_PREFIX = io.srproxy.auth.LoginPolicy.GATEWAY_CALL_PREFIX;

    /** Characters a dialled or presented number is made of; anything else gets a random identity. */
    private static final Pattern READABLE_NUMBER = Pattern.compile("[0-9A-Za-z+*#._-]{1,40}");
    private static final int MAX_SAME_NUMBER = 100;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Set<String> inUse = ConcurrentHashMap.newKeySet();

    public static String channelId() {
        return String.format("%09d", RANDOM.nextInt(1_000_000_000));
    }

    public static boolean isPerCallUid(String uid) {
        return uid != null && uid.startsWith(CALLER_PREFIX);
    }

    /** An identity for a call from {@code callerNumber}, held until {@link #release}. */
    public String claim(String callerNumber) {
        if (callerNumber != null && READABLE_NUMBER.matcher(callerNumber).matches()) {
            String base = CALLER_PREFIX + callerNumber;
            if (inUse.add(base)) {
                return base;
            }
            for (int n = 2; n <= MAX_SAME_NUMBER; n++) {
                String uid = base + "~" + n;
                if (inUse.add(uid)) {
                    return uid;
                }
            }
        }
        String uid;
        do {
            // '~r' cannot be a number's own suffix ('~' is not in READABLE_NUMBER), so no clash with the above
            uid = CALLER_PREFIX + "~r" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        } while (!inUse.add(uid));
        return uid;
    }

    /** A random identity (the caller's number was unfit, or every numbered one was taken): unique without asking. */
    public static boolean isRandom(String uid) {
        return uid != null && uid.startsWith(CALLER_PREFIX + "~r");
    }

    /** The call that held {@code uid} has logged it out. */
    public void release(String uid) {
        inUse.remove(uid);
    }

    /** Identities held now. */
    public int inUse() {
        return inUse.size();
    }
}
