package io.srproxy.rtc.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The portable {@link MuxSocket}: a blocking {@link DatagramChannel}. The JDK keeps only the last
 * sender's address, so with senders interleaved each datagram allocates its address.
 */
final class JdkUdpSocket implements MuxSocket {

    private final DatagramChannel ch;
    private final ThreadLocal<ByteBuffer> wrappers = new ThreadLocal<>();
    private int length;

    JdkUdpSocket(InetSocketAddress bind, boolean reusePort, int bufferBytes) throws IOException {
        ch = DatagramChannel.open();
        try {
            if (reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            ch.bind(bind);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public InetSocketAddress receive(byte[] buf, int max) throws IOException {
        ByteBuffer bb = wrappers.get();
        if (bb == null || bb.array() != buf) {
            bb = ByteBuffer.wrap(buf);
            wrappers.set(bb);
        }
        bb.clear().limit(max);
        InetSocketAddress from = (InetSocketAddress) ch.receive(bb);
        length = bb.position();
        return from;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void send(ByteBuffer data, InetSocketAddress to) throws IOException {
        ch.send(data, to);
    }

    @Override
    public int localPort() throws IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
