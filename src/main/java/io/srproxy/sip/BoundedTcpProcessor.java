package io.srproxy.sip;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.ReusingTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;

/**
 * JAIN-SIP's NIO TCP listener with a say over each accepted connection: one from an untrusted
 * source, or over {@code [limits] sip_tcp_connections} / {@code sip_tcp_connections_per_source},
 * is taken only to be closed at once (connections we open are {@link ReusingTcpMessageProcessor}'s) (its input is shut so the selector closes it on its next
 * turn, the way JAIN-SIP closes any ended stream). Admitted connections are {@link BoundedTcpChannel}s.
 */
final class BoundedTcpProcessor extends ReusingTcpMessageProcessor {

    private final StackGuards guards;

    BoundedTcpProcessor(InetAddress address, SIPTransactionStack stack, int port, StackGuards guards) {
        super(address, stack, port);
        this.guards = guards;
    }

    /** Called by the selector thread for each accepted connection. */
    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
            throws IOException {
        NioTcpMessageChannel existing = nioHandler.getMessageChannel(client);
        if (existing != null) {
            return existing;
        }
        AcceptedConnection connection = AcceptedConnection.admit(guards, client.socket().getInetAddress());
        BoundedTcpChannel channel = new BoundedTcpChannel(processor, client, connection);
        nioHandler.putMessageChannel(client, channel);
        if (!connection.admitted()) {
            client.shutdownInput(); // readable at once: the channel closes itself on the first read
        }
        return channel;
    }
}
