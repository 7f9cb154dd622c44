package io.srproxy.rtm;

import java.util.concurrent.CompletableFuture;

/** An {@link RtmTransport} that calls the service directly: no serialization, no keepalive. */
final class InProcessTransport implements RtmTransport {

    private final RtmService service;
    private volatile Connection connection;
    private volatile Inbound inbound;

    InProcessTransport(RtmService service) {
        this.service = service;
    }

    @Override
    public CompletableFuture<Void> open(Inbound inbound) {
        this.inbound = inbound;
        connection = service.connect(new ConnectionPeer() {
            @Override
            public void deliver(RtmEvent event) {
                inbound.event(event);
            }

            @Override
            public void close(ConnectionChangeReason reason) {
                inbound.lost(reason.name());
            }
        }, false, "local");
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void send(long requestId, RtmRequest request) {
        Connection c = connection;
        if (c == null) {
            throw new IllegalStateException("transport not open");
        }
        Inbound in = inbound;
        // replies and events both come from the service's executor, so they stay in order
        service.submit(c, request, (reply, error) -> in.reply(requestId, reply, error));
    }

    @Override
    public void close() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            service.disconnect(c);
        }
    }
}
