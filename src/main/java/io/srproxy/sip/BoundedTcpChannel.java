package io.srproxy.sip;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One accepted SIP TCP connection: its bytes pass {@link SipStreamSizeCheck} before JAIN-SIP's
 * parser sees them (a message over {@code sip_max_message_size} closes the connection, nothing of
 * it buffered), and its place in the connection limits is given back when it closes, whoever
 * closes it (the peer, the idle auditor, an error). A refused connection closes on its first read.
 */
final class BoundedTcpChannel extends NioTcpMessageChannel {

    private final StackGuards guards;
    private final InetAddress source;
    private final boolean admitted;
    private final SipStreamSizeCheck sizeCheck;
    private final AtomicBoolean released = new AtomicBoolean();

    BoundedTcpChannel(NioTcpMessageProcessor processor, SocketChannel client, StackGuards guards, InetAddress source,
                      boolean admitted) throws IOException {
        super(processor, client);
        this.messageProcessor = processor; // JAIN-SIP's own accept path sets it after construction too
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
    protected void addBytes(byte[] bytes) throws Exception {
        try {
            sizeCheck.check(bytes);
        } catch (SipStreamSizeCheck.TooLarge e) {
            guards.admission().tooLarge(source, e.getMessage());
            throw e; // JAIN-SIP closes the connection on any exception here
        }
        super.addBytes(bytes);
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
        super.close(removeSocket, stopKeepAliveTask);
        if (admitted && released.compareAndSet(false, true)) {
            guards.connections().release(source);
        }
    }
}
