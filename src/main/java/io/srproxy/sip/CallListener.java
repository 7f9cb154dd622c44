package io.srproxy.sip;

/**
 * Events of one call (either direction), delivered one at a time on the call's serial executor.
 * {@link #ended} comes exactly once, last.
 */
public interface CallListener {

    /** UAC: 100 Trying. */
    default void trying() {}

    /** UAC: 180 (or 183 without SDP). */
    default void ringing() {}

    /** UAC: 183 with SDP; RTP to and from the callee may flow now. */
    default void earlyMedia(NegotiatedMedia media) {}

    /** The call is up: UAC got 200, UAS got the ACK. */
    default void answered(NegotiatedMedia media) {}

    /** UAC: the call failed before the answer with this final status. Followed by {@link #ended}. */
    default void failed(int status, String reason) {}

    /** A re-INVITE changed the media (hold, resume, new address). */
    default void mediaChanged(NegotiatedMedia media) {}

    /** An RFC 4733 digit from the peer. */
    default void dtmf(char digit) {}

    default void ended(CallEnd end) {}
}
