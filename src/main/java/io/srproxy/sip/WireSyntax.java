package io.srproxy.sip;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks on a request's raw bytes that JAIN-SIP's parser does not make, because the parsed
 * message no longer shows the problem: it reads any SIP version as 2.0, keeps only the first of
 * repeated single-valued headers (so two different Content-Lengths pass), and takes extra spaces
 * in the request line. RFC 4475 3.1.2.9/10, 3.1.2.16, 3.3.8 and 3.3.9.
 */
final class WireSyntax {

    /** Headers a request carries once (RFC 3261 section 20), by long and compact name. */
    private static final Map<String, String> SINGLE = Map.ofEntries(
            Map.entry("call-id", "Call-ID"), Map.entry("i", "Call-ID"),
            Map.entry("from", "From"), Map.entry("f", "From"),
            Map.entry("to", "To"), Map.entry("t", "To"),
            Map.entry("cseq", "CSeq"),
            Map.entry("max-forwards", "Max-Forwards"),
            Map.entry("content-length", "Content-Length"), Map.entry("l", "Content-Length"),
            Map.entry("content-type", "Content-Type"), Map.entry("c", "Content-Type"));

    private WireSyntax() {}

    /** What is wrong with this request on the wire, or empty; {@code raw} is one whole message. */
    static Optional<Refusal> check(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int lineEnd = text.indexOf('\n');
        if (lineEnd < 0) {
            return Optional.empty(); // the parser has refused it already
        }
        String requestLine = stripCr(text.substring(0, lineEnd));
        String[] parts = requestLine.split(" ", -1);
        if (parts.length >= 3 && !parts[parts.length - 1].isEmpty()
                && !parts[parts.length - 1].equalsIgnoreCase("SIP/2.0")
                && parts[parts.length - 1].toUpperCase(Locale.ROOT).startsWith("SIP/")) {
            return Optional.of(Refusal.of(505, "Version Not Supported (" + parts[parts.length - 1] + ")"));
        }
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return Optional.of(Refusal.of(400, "Bad Request-Line (method, URI and version must be separated by"
                    + " single spaces)"));
        }
        return repeatedHeader(text, lineEnd + 1);
    }

    /** Lines end in CRLF on the wire; JAIN-SIP's stream parser hands them on with LF alone. */
    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static Optional<Refusal> repeatedHeader(String text, int from) {
        Map<String, String> seen = new HashMap<>();
        int pos = from;
        while (pos < text.length()) {
            int next = text.indexOf('\n', pos);
            String line = stripCr(text.substring(pos, next < 0 ? text.length() : next));
            if (line.isEmpty()) {
                break; // the empty line before the body
            }
            char first = line.charAt(0);
            int colon = line.indexOf(':');
            if (first != ' ' && first != '\t' && colon > 0) {
                String name = SINGLE.get(line.substring(0, colon).trim().toLowerCase(Locale.ROOT));
                if (name != null) {
                    String value = line.substring(colon + 1).trim();
                    String before = seen.putIfAbsent(name, value);
                    if (before != null) {
                        return Optional.of(name.equals("Content-Length")
                                ? Refusal.of(400, "Bad Content-Length (" + before + " and " + value + ")")
                                : Refusal.of(400, "Bad Request (more than one " + name + ")"));
                    }
                }
            }
            if (next < 0) {
                break;
            }
            pos = next + 1;
        }
        return Optional.empty();
    }
}
