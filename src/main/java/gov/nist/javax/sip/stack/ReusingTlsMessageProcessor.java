package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.InetAddress;

/**
 * {@link ReusingTcpMessageProcessor}'s fix for TLS: the TLS connection we open keeps its socket in
 * the handler's table before each send, so the ClientHello and the request go out on the socket the
 * channel's TLS engine belongs to instead of a second connection opened mid-handshake.
 */
public class ReusingTlsMessageProcessor extends NioTlsMessageProcessor {

    public ReusingTlsMessageProcessor(InetAddress ipAddress, SIPTransactionStack sipStack, int port) {
        super(ipAddress, sipStack, port);
    }

    @Override
    ConnectionOrientedMessageChannel constructMessageChannel(InetAddress targetHost, int port) throws IOException {
        return new OutboundChannel(targetHost, port, sipStack, this);
    }

    /** A TLS connection we open: puts its socket back in the handler's table before each send. */
    static final class OutboundChannel extends NioTlsMessageChannel {

        OutboundChannel(InetAddress host, int port, SIPTransactionStack stack, NioTcpMessageProcessor processor)
                throws IOException {
            super(host, port, stack, processor);
        }

        @Override
        public void sendMessage(byte[] message, InetAddress address, int port, boolean retry) throws IOException {
            ReusingTcpMessageProcessor.keepSocket(this, address, port);
            super.sendMessage(message, address, port, retry);
        }
    }
}
