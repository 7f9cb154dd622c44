package io.srproxy.rtm;

import java.util.concurrent.CompletableFuture;

/** How an {@link RtmClientCore} reaches the service: in-process or over a WebSocket. */
public interface RtmTransport {

    /** What the transport hands back, in arrival order, from a single thread at a time. */
    interface Inbound {
        void reply(long requestId, RtmReply reply, RtmException error);

        void event(RtmEvent event);

        /** The link broke (not after {@link #close()}). */
        void lost(String why);
    }

    CompletableFuture<Void> open(Inbound inbound);

    /** Sends a request; its answer comes through {@link Inbound#reply} with the same id. */
    void send(long requestId, RtmRequest request);

    void close();
}
