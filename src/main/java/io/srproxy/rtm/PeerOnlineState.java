package io.srproxy.rtm;

/** A subscribed peer's presence, as in the RTM SDKs. */
public enum PeerOnlineState {
    ONLINE(0), UNREACHABLE(1), OFFLINE(2);

    public final int code;

    PeerOnlineState(int code) {
        this.code = code;
    }
}
