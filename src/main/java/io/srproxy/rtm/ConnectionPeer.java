package io.srproxy.rtm;

/** The service's way back to one connected client: in-process, or a WebSocket. */
public interface ConnectionPeer {

    /** Called on the service's executor, in order; must not block. */
    void deliver(RtmEvent event);

    /** The service drops this connection (after delivering {@link RtmEvent.SessionEnded}). */
    void close(ConnectionChangeReason reason);

    /** srproxy is stopping: close with {@code why} (a WebSocket says 1001 going away). */
    default void closeGoingAway(String why) {
        close(ConnectionChangeReason.INTERRUPTED);
    }
}
