package io.srproxy.rtm;

/** Why a callee's invitation failed, numbered as in the RTM invitation contract. */
public enum RemoteInvitationFailureReason {
    OK(0),
    /** The caller went offline during the invitation. */
    PEER_OFFLINE(1),
    /** The caller did not acknowledge the accept within 30 s. */
    ACCEPT_FAILURE(2),
    /** Nobody accepted, refused or cancelled within 60 s (or the callee acknowledged too late). */
    INVITATION_EXPIRE(3);

    public final int code;

    RemoteInvitationFailureReason(int code) {
        this.code = code;
    }
}
