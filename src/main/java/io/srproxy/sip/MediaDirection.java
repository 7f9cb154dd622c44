package io.srproxy.sip;

/** SDP media direction (RFC 3264 section 6.1), from the point of view of the side that wrote it. */
public enum MediaDirection {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public String attribute() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The direction an answer takes to an offer with this one, given our own wish. */
    public MediaDirection answerTo(MediaDirection ours) {
        boolean peerSends = this == SENDRECV || this == SENDONLY;
        boolean peerReceives = this == SENDRECV || this == RECVONLY;
        boolean weSend = (ours == SENDRECV || ours == SENDONLY) && peerReceives;
        boolean weReceive = (ours == SENDRECV || ours == RECVONLY) && peerSends;
        return of(weSend, weReceive);
    }

    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    public static MediaDirection of(boolean send, boolean receive) {
        if (send && receive) {
            return SENDRECV;
        }
        return send ? SENDONLY : receive ? RECVONLY : INACTIVE;
    }
}
