package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;

/**
 * srproxy's second reach into JAIN-SIP's package (1.3.0-91): NIO TCP connections we open keep
 * carrying our requests. {@code NIOHandler.openOutgoingConnection} drops every socket it opens
 * from its table again before returning (its "success" flag is never set), so the next
 * {@code sendMessage(bytes, address, port, retry)} opens yet another connection and hands the
 * bytes to the selector before the new socket has a channel: the selector finds none, calls the
 * socket dead and the request is never written (a REGISTER over TCP gets no answer). Requests
 * sent through {@code sendMessage(bytes, isClient)} already put the socket back first; this does the
 * same for the other path, so one connection per peer is opened and reused.
 */
public class ReusingTcpMessageProcessor extends NioTcpMessageProcessor {

    public ReusingTcpMessageProcessor(InetAddress ipAddress, SIPTransactionStack sipStack, int port) {
        super(ipAddress, sipStack, port);
    }

    @Override
    ConnectionOrientedMessageChannel constructMessageChannel(InetAddress targetHost, int port) throws IOException {
        return new OutboundChannel(targetHost, port, sipStack, this);
    }

    /** A connection we open: puts its socket back in the handler's table before each send. */
    static final class OutboundChannel extends NioTcpMessageChannel {

        OutboundChannel(InetAddress host, int port, SIPTransactionStack stack, NioTcpMessageProcessor processor)
                throws IOException {
            super(host, port, stack, processor);
        }

        @Override
        public void sendMessage(byte[] message, InetAddress address, int port, boolean retry) throws IOException {
            keepSocket(this, address, port);
            super.sendMessage(message, address, port, retry);
        }
    }

    /** Puts {@code channel}'s open socket back in its handler's table when it is the one to {@code address:port}. */
    static void keepSocket(NioTcpMessageChannel channel, InetAddress address, int port) {
        SocketChannel s = channel.socketChannel;
        if (s != null && s.isConnected() && s.isOpen() && address.equals(channel.peerAddress) && port == channel.peerPort) {
            ((NioTcpMessageProcessor) channel.messageProcessor).nioHandler.putSocket(NIOHandler.makeKey(address, port), s);
        }
    }
}
