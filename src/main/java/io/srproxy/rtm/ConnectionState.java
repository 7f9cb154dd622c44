package io.srproxy.rtm;

/** A client's connection state, as in the RTM SDKs. */
public enum ConnectionState {
    DISCONNECTED(1), CONNECTING(2), CONNECTED(3), RECONNECTING(4), ABORTED(5);

    public final int code;

    ConnectionState(int code) {
        this.code = code;
    }
}
