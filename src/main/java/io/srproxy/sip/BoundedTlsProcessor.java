package io.srproxy.sip;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageChannel;
import gov.nist.javax.sip.stack.ReusingTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

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
        InetAddress source = client.socket().getInetAddress();
        boolean admitted = guards.admission().connection(source)
                && guards.admission().connectionWithinLimits(guards.connections().acquire(source), source);
        Channel channel = new Channel(processor, client, guards, source, admitted);
        nioHandler.putMessageChannel(client, channel);
        if (!admitted) {
            client.shutdownInput(); // readable at once: the channel closes itself on the first read
        }
        return channel;
    }

    /** One accepted TLS connection: see {@link BoundedTcpChannel}, whose rules it follows. */
    private static final class Channel extends NioTlsMessageChannel {

        private final StackGuards guards;
        private final InetAddress source;
        private final boolean admitted;
        private final SipStreamSizeCheck sizeCheck;
        private final AtomicBoolean released = new AtomicBoolean();

        Channel(NioTcpMessageProcessor processor, SocketChannel client, StackGuards guards, InetAddress source,
                boolean admitted) throws IOException {
            super(processor, client);
            this.messageProcessor = processor;
            this.guards = guards;
            this.source = source;
            this.admitted = admitted;
            this.sizeCheck = new SipStreamSizeCheck(guards.limits().maxMessageSize());
        }

        @Override
        public void readChannel() {
            if (!admitted) {
                close(true, false);
                return;
            }
            super.readChannel();
        }

        @Override
        public void addPlaintextBytes(byte[] bytes) throws Exception {
            try {
                sizeCheck.check(bytes);
            } catch (SipStreamSizeCheck.TooLarge e) {
                guards.admission().tooLarge(source, e.getMessage());
                throw e;
            }
            super.addPlaintextBytes(bytes);
        }

        @Override
        protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
            super.close(removeSocket, stopKeepAliveTask);
            if (admitted && released.compareAndSet(false, true)) {
                guards.connections().release(source);
            }
        }
    }
}
