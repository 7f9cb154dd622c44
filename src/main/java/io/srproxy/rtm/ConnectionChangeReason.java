package io.srproxy.rtm;

/** Why a client's connection state changed, as in the RTM SDKs. */
public enum ConnectionChangeReason {
    LOGIN(1), LOGIN_SUCCESS(2), LOGIN_FAILURE(3), LOGIN_TIMEOUT(4),
    /** The link was lost or the server stopped hearing from the client (keepalive). */
    INTERRUPTED(5),
    LOGOUT(6), BANNED_BY_SERVER(7),
    /** The same uid logged in elsewhere; this session was replaced. */
    REMOTE_LOGIN(8);

    public final int code;

    ConnectionChangeReason(int code) {
        this.code = code;
    }
}
