package io.srproxy.sip;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageChannel;
import gov.nist.javax.sip.stack.ReusingTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;

/**
 * JAIN-SIP's NIO TLS listener under the same rules as {@link BoundedTcpProcessor}: trusted sources
 * only, {@code sip_tcp_connections} / {@code sip_tcp_connections_per_source} counted together with
 * TCP's, and {@code sip_max_message_size} checked on the decrypted bytes before parsing.
 */
final class BoundedTlsProcessor extends ReusingTlsMessageProcessor {

    private final StackGuards guards;

    BoundedTlsProcessor(InetAddress address, SIPTransactionStack stack, int port, StackGuards guards) {
        super(address, stack, port);
        this.guards = guards;
    }

    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
            throws IOException {
        NioTcpMessageChannel existing = nioHandler.getMessageChannel(client);
        if (existing != null) {
            return existing;
        }
        AcceptedConnection connection = AcceptedConnection.admit(guards, client.socket().getInetAddress());
        Channel channel = new Channel(processor, client, connection);
        nioHandler.putMessageChannel(client, channel);
        if (!connection.admitted()) {
            client.shutdownInput(); // readable at once: the channel closes itself on the first read
        }
        return channel;
    }

    /** One accepted TLS connection: see {@link BoundedTcpChannel}, whose rules it follows. */
    private static final class Channel extends NioTlsMessageChannel {

        private final AcceptedConnection connection;

        Channel(NioTcpMessageProcessor processor, SocketChannel client, AcceptedConnection connection) throws IOException {
            super(processor, client);
            this.messageProcessor = processor;
            this.connection = connection;
        }

        @Override
        public void readChannel() {
            if (!connection.admitted()) {
                close(true, false);
                return;
            }
            super.readChannel();
        }

        @Override
        public void addPlaintextBytes(byte[] bytes) throws Exception {
            connection.checkSize(bytes);
            super.addPlaintextBytes(bytes);
        }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            connection.release();
        }
    }
}
