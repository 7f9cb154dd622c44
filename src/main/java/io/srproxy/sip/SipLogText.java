package io.srproxy.sip;

/**
 * Network values made safe for a log line: CR, LF and other control characters escaped (so a
 * forged header cannot forge log lines), long values cut. Kept package-private in sip/ until the
 * project-wide helper lands; same rules as {@code io.srproxy.log.LogSafe.of}.
 */
final class SipLogText {

    static final int MAX_CHARS = 200;

    private SipLogText() {}

    /** {@code value} escaped and cut after {@link #MAX_CHARS} characters ("..." marks the cut). */
    static String of(Object value) {
        return escape(value, MAX_CHARS);
    }

    /** {@code value} escaped and cut after {@code maxChars} characters. */
    static String escape(Object value, int maxChars) {
        String s = String.valueOf(value);
        StringBuilder out = new StringBuilder(Math.min(s.length(), maxChars) + 8);
        int n = Math.min(s.length(), maxChars);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (s.length() > maxChars) {
            out.append("...");
        }
        return out.toString();
    }
}
