package io.srproxy.rtm;

/** Result of an invitation API call (send, cancel, accept, refuse), numbered as in the contract. */
public enum InvitationApiError {
    OK(0), INVALID_ARGUMENT(1), NOT_STARTED(2), ALREADY_END(3), ALREADY_ACCEPT(4), ALREADY_SENT(5);

    public final int code;

    InvitationApiError(int code) {
        this.code = code;
    }
}
