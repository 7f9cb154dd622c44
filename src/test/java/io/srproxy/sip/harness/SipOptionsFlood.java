package io.srproxy.sip.harness;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A raw UDP flood of SIP OPTIONS from one loopback source address to a loopback target, bounded
 * in count: {@code perTick} requests every 10 ms until {@code maxRequests} are sent or it is
 * closed. Counts the answers by status code, so a test sees what got through.
 */
public final class SipOptionsFlood implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress target;
    private final int maxRequests;
    private final AtomicInteger sent = new AtomicInteger();
    private final Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
    private final Thread receiver;

    private SipOptionsFlood(String source, InetSocketAddress target, int maxRequests) throws SocketException {
        InetAddress from = loopback(source);
        loopback(target.getHostString());
        this.socket = new DatagramSocket(new InetSocketAddress(from, 0));
        this.target = target;
        this.maxRequests = maxRequests;
        this.receiver = new Thread(this::receive, "sip-flood-rx");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Starts sending {@code perTick} OPTIONS every 10 ms from {@code source} to 127.0.0.1:{@code port}. */
    public static SipOptionsFlood start(String source, int port, int perTick, int maxRequests) throws SocketException {
        SipOptionsFlood f = new SipOptionsFlood(source, new InetSocketAddress("127.0.0.1", port), maxRequests);
        f.sender.scheduleAtFixedRate(() -> f.burst(perTick), 0, 10, TimeUnit.MILLISECONDS);
        return f;
    }

    private static InetAddress loopback(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            if (!a.isLoopbackAddress()) {
                throw new IllegalArgumentException(host + " is not a loopback address: floods stay on this machine");
            }
            return a;
        } catch (IOException e) {
            throw new IllegalArgumentException(host, e);
        }
    }

    private void burst(int n) {
        for (int i = 0; i < n; i++) {
            int seq = sent.incrementAndGet();
            if (seq > maxRequests) {
                sender.shutdown();
                return;
            }
            byte[] b = options(seq).getBytes(StandardCharsets.US_ASCII);
            try {
                socket.send(new DatagramPacket(b, b.length, target));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private String options(int seq) {
        String local = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        return "OPTIONS sip:srproxy@" + target.getHostString() + ":" + target.getPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bKflood" + seq + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:flood@" + local + ">;tag=f" + seq + "\r\n"
                + "To: <sip:srproxy@" + target.getHostString() + ">\r\n"
                + "Call-ID: flood-" + seq + "@" + local + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private void receive() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            String head = new String(p.getData(), 0, Math.min(p.getLength(), 16), StandardCharsets.US_ASCII);
            if (head.startsWith("SIP/2.0 ") && head.length() >= 11) {
                answers.computeIfAbsent(Integer.parseInt(head.substring(8, 11)), c -> new LongAdder()).increment();
            }
        }
    }

    public int sent() {
        return Math.min(sent.get(), maxRequests);
    }

    public boolean finished() {
        return sender.isShutdown();
    }

    /** Answers received with this status code. */
    public long answered(int status) {
        LongAdder a = answers.get(status);
        return a == null ? 0 : a.sum();
    }

    @Override
    public void close() {
        sender.shutdownNow();
        socket.close();
    }
}
