package io.srproxy.rtc.webrtc;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * A DTLS datagram transport fed by the UDP mux: the I/O thread offers each DTLS record it sees
 * (a copy) and the handshake thread takes them; sends go straight back out of the shared socket.
 */
public final class QueueDatagramTransport implements DatagramTransport {

    /** Where DTLS records go: the shared socket, addressed to this peer. */
    @FunctionalInterface
    public interface Sender {
        void send(byte[] buf, int off, int len) throws IOException;
    }

    private static final int MTU = 1200;
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(64);
    private final Sender sender;
    private volatile boolean closed;

    public QueueDatagramTransport(Sender sender) {
        this.sender = sender;
    }

    /** Called by the I/O thread; drops the record when the handshake is not keeping up. */
    public boolean offer(byte[] buf, int off, int len) {
        if (closed) {
            return false;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        return inbound.offer(copy);
    }

    @Override
    public int getReceiveLimit() {
        return 1500;
    }

    @Override
    public int getSendLimit() {
        return MTU;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        try {
            byte[] d = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (d == null) {
                return -1;
            }
            if (d == CLOSED) {
                throw new IOException("DTLS transport closed");
            }
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (!closed) {
            sender.send(buf, off, len);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inbound.clear();
            inbound.offer(CLOSED);
        }
    }
}
