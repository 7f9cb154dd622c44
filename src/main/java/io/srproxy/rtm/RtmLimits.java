package io.srproxy.rtm;

import java.util.List;

/** The RTM size and syntax rules; each check throws INVALID_ARGUMENT naming the field and the rule. */
public final class RtmLimits {

    public static final int MAX_UID_BYTES = 64;
    public static final int MAX_MESSAGE_BYTES = 32 * 1024;
    public static final int MAX_INVITATION_CONTENT_BYTES = 8 * 1024;
    public static final int MAX_CHANNEL_ID_BYTES = 64;
    public static final int MAX_INVITATION_ID_BYTES = 64;
    /** Peers per presence query or subscription request. */
    public static final int MAX_PEERS_PER_REQUEST = 256;

    private RtmLimits() {}

    /** A uid: 1..64 bytes UTF-8, no blanks and no control characters. */
    public static String uid(String field, String uid) {
        if (uid == null || uid.isEmpty()) {
            throw invalid(field + " must not be empty");
        }
        int bytes = utf8Length(uid);
        if (bytes > MAX_UID_BYTES) {
            throw invalid(field + " is " + bytes + " bytes; at most " + MAX_UID_BYTES + " bytes UTF-8");
        }
        for (int i = 0; i < uid.length(); ) {
            int cp = uid.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
                throw invalid(field + " contains a blank or control character (U+"
                        + String.format("%04X", cp) + ") at index " + i);
            }
            i += Character.charCount(cp);
        }
        return uid;
    }

    /** Text of at most {@code max} bytes UTF-8; null counts as empty. */
    public static String text(String field, String value, int max) {
        if (value == null) {
            return "";
        }
        int bytes = utf8Length(value);
        if (bytes > max) {
            throw invalid(field + " is " + bytes + " bytes; at most " + max + " bytes UTF-8");
        }
        return value;
    }

    /** A non-empty list of at most {@link #MAX_PEERS_PER_REQUEST} valid uids. */
    public static List<String> peers(String field, List<String> peers) {
        if (peers == null || peers.isEmpty()) {
            throw invalid(field + " must list at least one uid");
        }
        if (peers.size() > MAX_PEERS_PER_REQUEST) {
            throw invalid(field + " lists " + peers.size() + " uids; at most " + MAX_PEERS_PER_REQUEST);
        }
        for (int i = 0; i < peers.size(); i++) {
            uid(field + "[" + i + "]", peers.get(i));
        }
        return peers;
    }

    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static RtmException invalid(String message) {
        return new RtmException(RtmError.INVALID_ARGUMENT, message);
    }

    /** Quick check used by clients before sending: the same rule without the exception. */
    public static boolean fits(String value, int max) {
        return value == null || utf8Length(value) <= max;
    }
}
