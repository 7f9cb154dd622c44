package io.srproxy.sip;

/** Why a call ended: reported exactly once per call. {@code status} is the SIP status when one applies, else 0. */
public record CallEnd(Cause cause, int status, String detail) {

    public enum Cause {
        /** We hung up (BYE sent). */
        LOCAL_BYE,
        /** The peer hung up (BYE received). */
        REMOTE_BYE,
        /** Cancelled before the answer, by us or by the caller. */
        CANCELLED,
        /** The call failed with a final status (486, 603, 404, ...), or we rejected it. */
        REJECTED,
        /** Nobody answered in time. */
        NO_ANSWER,
        /** We answered but the ACK never came. */
        NO_ACK,
        /** No RTP for {@code [media] rtp_timeout} seconds. */
        NO_MEDIA,
        /** The session timer (RFC 4028) ran out without a refresh. */
        SESSION_EXPIRED,
        /** A request got no response (transaction timeout) or could not be sent. */
        TRANSPORT_ERROR,
        /** Media could not be negotiated (no common codec, bad SDP). */
        MEDIA_ERROR,
        /** The agent shut down. */
        SHUTDOWN,
        /** A bug of ours while handling the call (answered 500 when not yet answered). */
        INTERNAL_ERROR
    }

    @Override
    public String toString() {
        return cause + (status > 0 ? " " + status : "") + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
