package io.srproxy.web;

import java.util.List;
import java.util.Map;

/**
 * What the admin API shows, read-only and already in JSON shape, so web/ needs nothing of the
 * gateway's types: {@code Srproxy} hands in a view over the gateway and its call log.
 */
public interface AdminView {

    List<Map<String, Object>> activeCalls();

    List<Map<String, Object>> recentCalls();

    /** Counters: activeCalls, totalCalls, answeredCalls, failedCalls, callsByDirection. */
    Map<String, Object> stats();

    /** SIP registrations of the gateway; empty when no SIP direction is on. */
    List<?> registrations();

    /** The gateway's RTM accounts; empty when no SIP direction is on. */
    List<?> accounts();

    /** {@code enabled}, and with {@code [cluster]}: this {@code node}, {@code healthy} (Redis answers) and the live {@code nodes}. */
    default Map<String, Object> cluster() {
        return Map.of("enabled", false);
    }
}
