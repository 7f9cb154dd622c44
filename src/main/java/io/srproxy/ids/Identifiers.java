package io.srproxy.ids;

/**
 * The one rule for the names strangers give us, shared by /rtm and /rtc so both accept the same
 * uids and channel ids: a uid is 1..64 bytes UTF-8 without blanks or control characters; a
 * channel id is 1..64 bytes UTF-8 without control characters (blanks allowed). Neither can carry
 * a line break into a log line or a SIP header. Each check returns null when the value is fine,
 * else a message naming the field and the rule, which the caller wraps in its own error type.
 */
public final class Identifiers {

    public static final int MAX_UID_BYTES = 64;
    public static final int MAX_CHANNEL_ID_BYTES = 64;

    private Identifiers() {}

    /** Null when {@code uid} is a valid uid, else what is wrong with it. */
    public static String uidProblem(String field, String uid) {
        return problem(field, uid, MAX_UID_BYTES, true);
    }

    /** Null when {@code id} is a valid channel id, else what is wrong with it. */
    public static String channelIdProblem(String field, String id) {
        return problem(field, id, MAX_CHANNEL_ID_BYTES, false);
    }

    private static String problem(String field, String value, int maxBytes, boolean noBlanks) {
        if (value == null || value.isEmpty()) {
            return field + " must not be empty";
        }
        int bytes = utf8Length(value);
        if (bytes > maxBytes) {
            return field + " is " + bytes + " bytes; at most " + maxBytes + " bytes UTF-8";
        }
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            boolean control = Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029;
            boolean blank = Character.isWhitespace(cp) || Character.isSpaceChar(cp);
            if (control || (noBlanks && blank)) {
                return field + " contains a " + (noBlanks ? "blank or control" : "control") + " character (U+"
                        + String.format("%04X", cp) + ") at index " + i;
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /** Bytes of {@code s} in UTF-8, without encoding it. */
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
}
