package io.srproxy.rtm;

/** Caller-side invitation states, numbered as in the RTM invitation contract. */
public enum LocalInvitationState {
    IDLE(0), SENT_TO_REMOTE(1), RECEIVED_BY_REMOTE(2), ACCEPTED_BY_REMOTE(3), REFUSED_BY_REMOTE(4),
    CANCELED(5), FAILURE(6);

    public final int code;

    LocalInvitationState(int code) {
        this.code = code;
    }

    public boolean isFinal() {
        return code >= 3;
    }
}
