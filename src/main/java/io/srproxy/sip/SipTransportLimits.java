package io.srproxy.sip;

import java.time.Duration;

/**
 * What a stranger can make the SIP transports hold: the largest message (bytes, headers and body),
 * TCP connections at once in all and from one source address, and how long an idle TCP
 * connection stays open.
 */
public record SipTransportLimits(int maxMessageSize, int tcpConnections, int tcpConnectionsPerSource,
                                 Duration tcpIdle) {

    /** The {@code [limits]} defaults. */
    public static final SipTransportLimits DEFAULTS = new SipTransportLimits(65_536, 1024, 32, Duration.ofSeconds(300));

    /** JAIN-SIP raises a smaller MAX_MESSAGE_SIZE to this. */
    static final int MIN_MESSAGE_SIZE = 4096;

    public SipTransportLimits {
        if (maxMessageSize < MIN_MESSAGE_SIZE) {
            throw new IllegalArgumentException("sip_max_message_size must be at least " + MIN_MESSAGE_SIZE
                    + ", got " + maxMessageSize);
        }
        if (tcpConnections < 1 || tcpConnectionsPerSource < 1) {
            throw new IllegalArgumentException("SIP TCP connection limits must be at least 1");
        }
        if (tcpIdle.isNegative() || tcpIdle.isZero()) {
            throw new IllegalArgumentException("sip_tcp_idle_timeout must be positive, got " + tcpIdle);
        }
    }
}
