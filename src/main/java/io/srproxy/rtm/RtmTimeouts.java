package io.srproxy.rtm;

import java.time.Duration;

/**
 * The invitation contract's timeouts and the keepalive limit.
 *
 * @param offlineRetry how long an invitation waits for an offline callee to log in (PEER_OFFLINE after)
 * @param noAck        how long a delivered invitation waits for the callee's acknowledgement (PEER_NO_RESPONSE)
 * @param expire       how long an acknowledged invitation waits for accept, refuse or cancel (INVITATION_EXPIRE)
 * @param acceptAck    how long an accept waits for the caller's acknowledgement (ACCEPT_FAILURE)
 * @param keepalive    the longest a vanished remote client stays logged in: it is dropped at the first
 *                     sweep (every keepalive/6) after being silent for keepalive - keepalive/6
 */
public record RtmTimeouts(Duration offlineRetry, Duration noAck, Duration expire, Duration acceptAck,
                          Duration keepalive) {

    public static final RtmTimeouts DEFAULTS = new RtmTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(30));

    /** How often silent clients are looked for: a sixth of the keepalive limit (5 s). */
    public Duration keepaliveSweep() {
        return keepalive.dividedBy(6);
    }

    /** Silence longer than this gets a client dropped at the next sweep (25 s), so within {@code keepalive}. */
    public Duration silenceLimit() {
        return keepalive.minus(keepaliveSweep());
    }
}
