package io.srproxy.log;

/**
 * Makes a value that came from the network safe to put in a log line: CR, LF and every other
 * control or line-separating character is escaped (so a value cannot end the line and forge the
 * next one), and long values are cut with a marker (so a value cannot flood the log).
 */
public final class LogSafe {

    /** Characters of a value kept in the log; the rest is replaced by a marker naming how many were cut. */
    public static final int MAX_CHARS = 200;

    private LogSafe() {}

    /** {@code value} escaped and cut at {@link #MAX_CHARS}; null stays "null". */
    public static String of(Object value) {
        return of(value, MAX_CHARS);
    }

    /** {@code value} escaped and cut at {@code maxChars} characters of the original. */
    public static String of(Object value, int maxChars) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int end = Math.min(s.length(), maxChars);
        if (end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never cut a character in half
        }
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (needsEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(end + 16).append(s, 0, i);
                }
                escape(c, out);
            } else if (out != null) {
                out.append(c);
            }
        }
        if (out == null && end == s.length()) {
            return s; // the common case: nothing to change, nothing allocated
        }
        if (out == null) {
            out = new StringBuilder(end + 24).append(s, 0, end);
        }
        if (end < s.length()) {
            out.append("...(").append(s.length() - end).append(" more chars)");
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    private static void escape(char c, StringBuilder out) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04X", (int) c));
        }
    }
}
