package io.srproxy.auth;

/** A login or join refused by the {@link LoginPolicy}; /rtm and /rtc each turn it into their own error code. */
public final class LoginRefused extends RuntimeException {

    /** Why, named as RTM's error codes of the same meaning. */
    public enum Reason { INVALID_APP_ID, NOT_ALLOWED, TOKEN_REJECTED }

    private final Reason reason;

    public LoginRefused(Reason reason, String detail) {
        super(detail, null, false, false); // an answer to a client, not a fault: no stack trace
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
