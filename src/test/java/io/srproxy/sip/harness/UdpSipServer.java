package io.srproxy.sip.harness;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A plain UDP socket standing where the SIP server would be (on 127.0.0.1 or ::1, a free port):
 * what the agent sends there is kept as text, in order, for tests to read what went on the wire.
 */
public final class UdpSipServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

    private UdpSipServer(DatagramSocket socket) {
        this.socket = socket;
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[8192];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                } catch (IOException closed) {
                    return;
                }
            }
        }, "test-sip-server");
        reader.setDaemon(true);
        reader.start();
    }

    public static UdpSipServer on(InetAddress address) {
        try {
            return new UdpSipServer(new DatagramSocket(new InetSocketAddress(address, 0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The socket itself, to send from the server's address. */
    public DatagramSocket socket() {
        return socket;
    }

    /** Every message received so far (tests may clear it). */
    public LinkedBlockingQueue<String> received() {
        return received;
    }

    /** The first message received that starts with {@code prefix}, waiting up to 5 s for it. */
    public String awaitMessage(String prefix) {
        return await("a message starting with " + prefix).atMost(Duration.ofSeconds(5))
                .until(() -> received.stream().filter(m -> m.startsWith(prefix)).findFirst().orElse(null), m -> m != null);
    }

    @Override
    public void close() {
        socket.close();
    }
}
