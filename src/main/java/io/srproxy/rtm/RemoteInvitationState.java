package io.srproxy.rtm;

/** Callee-side invitation states, numbered as in the RTM invitation contract. */
public enum RemoteInvitationState {
    IDLE(0), INVITATION_RECEIVED(1), ACCEPT_SENT_TO_LOCAL(2), REFUSED(3), ACCEPTED(4), CANCELED(5), FAILURE(6);

    public final int code;

    RemoteInvitationState(int code) {
        this.code = code;
    }

    public boolean isFinal() {
        return code >= 3;
    }
}
