package io.srproxy.sip;

import java.util.Map;

/**
 * A final answer we give a request instead of handling it: the status, a reason phrase that names
 * the problem, and the headers RFC 3261 wants with it (Allow with 405/501, Unsupported with 420,
 * Accept with 415).
 */
record Refusal(int status, String reason, Map<String, String> headers) {

    Refusal {
        headers = Map.copyOf(headers);
    }

    static Refusal of(int status, String reason) {
        return new Refusal(status, reason, Map.of());
    }

    static Refusal of(int status, String reason, String header, String value) {
        return new Refusal(status, reason, Map.of(header, value));
    }
}
