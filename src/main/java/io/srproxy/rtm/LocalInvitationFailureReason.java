package io.srproxy.rtm;

/** Why a caller's invitation failed, numbered as in the RTM invitation contract. */
public enum LocalInvitationFailureReason {
    OK(0),
    /** The callee stayed offline for 30 s, or went offline during the invitation. */
    PEER_OFFLINE(1),
    /** The callee was online but did not acknowledge within 30 s. */
    PEER_NO_RESPONSE(2),
    /** Acknowledged, but nobody accepted, refused or cancelled within 60 s. */
    INVITATION_EXPIRE(3),
    /** The caller is not logged in (or stopped being logged in). */
    NOT_LOGGEDIN(4);

    public final int code;

    LocalInvitationFailureReason(int code) {
        this.code = code;
    }
}
