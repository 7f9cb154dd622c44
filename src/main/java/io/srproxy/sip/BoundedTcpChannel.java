package io.srproxy.sip;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * One accepted SIP TCP connection: its bytes pass {@link SipStreamSizeCheck} before JAIN-SIP's
 * parser sees them (a message over {@code sip_max_message_size} closes the connection, nothing of
 * it buffered), and its place in the connection limits is given back when it closes, whoever
 * closes it (the peer, the idle auditor, an error). A refused connection closes on its first read.
 */
final class BoundedTcpChannel extends NioTcpMessageChannel {

    private final AcceptedConnection connection;

    BoundedTcpChannel(NioTcpMessageProcessor processor, SocketChannel client, AcceptedConnection connection)
            throws IOException {
        super(processor, client);
        this.messageProcessor = processor; // JAIN-SIP's own accept path sets it after construction too
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
    protected void addBytes(byte[] bytes) throws Exception {
        connection.checkSize(bytes);
        super.addBytes(bytes);
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
        super.close(removeSocket, stopKeepAliveTask);
        connection.release();
    }
}
