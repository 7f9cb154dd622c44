package io.srproxy.sip;

import io.srproxy.limits.PerSourceRate;
import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * Per-source request rate for SIP ({@code [limits] sip_requests_per_second}): the rest are
 * dropped by the caller. The SIP server's own addresses are never limited (its traffic is the
 * service). Called from JAIN-SIP's threads, so lock-free.
 */
final class SipFloodGuard {

    private final PerSourceRate rate;
    private final TrustedPeers exempt;

    /** @param exempt the SIP server's addresses: never limited */
    SipFloodGuard(int perSecond, TrustedPeers exempt, LongSupplier nanoClock) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("sip_requests_per_second must be at least 1, got " + perSecond);
        }
        this.rate = new PerSourceRate(perSecond, PerSourceRate.MAX_SOURCES, nanoClock);
        this.exempt = exempt;
    }

    /** True when this request from {@code source} is within its budget (or the source is exempt). */
    boolean admit(InetAddress source) {
        return source == null || exempt.allows(source) || rate.admit(source);
    }
}
