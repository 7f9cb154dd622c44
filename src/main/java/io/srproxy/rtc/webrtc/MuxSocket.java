package io.srproxy.rtc.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One of the sockets on the shared WebRTC port (SO_REUSEPORT), read by one I/O thread and sent
 * on by it (and by the other threads assigned to it). {@link LinuxUdpSocket} reads without
 * allocating whatever the mix of senders; {@link JdkUdpSocket} is the portable fallback.
 */
interface MuxSocket extends AutoCloseable {

    /**
     * Blocks for the next datagram, copies it into {@code buf} from 0 (at most {@code max} bytes)
     * and returns its sender; {@link #length()} tells its length. Null when nothing was read (a
     * timeout or an error), which the caller treats as a reason to check whether it should stop.
     */
    InetSocketAddress receive(byte[] buf, int max) throws IOException;

    /** The length of the datagram the last {@link #receive} returned. */
    int length();

    /** Sends {@code data} (from its position to its limit) to {@code to}; any thread. */
    void send(ByteBuffer data, InetSocketAddress to) throws IOException;

    /** Sends queued by one thread and sent together, in one system call where the socket can. */
    interface SendBatch {
        /** Queues a copy of the datagram; failures are counted by the socket. */
        void add(byte[] b, int off, int len, InetSocketAddress to);

        /** Sends what is queued. */
        void flush();
    }

    /** The reader thread's batch, flushed before each {@link #receive}; null: the reader sends at once. */
    default SendBatch readerBatch() {
        return null;
    }

    /** A new batch for another thread that flushes it itself; null where this socket cannot batch. */
    default SendBatch newSendBatch() {
        return null;
    }

    int localPort() throws IOException;

    /** Stops it: a blocked {@link #receive} returns (throwing ClosedChannelException) and sends fail. */
    @Override
    void close();

    /** Frees what {@link #close} left for after the reader has stopped (the descriptor itself). */
    default void release() {}
}
