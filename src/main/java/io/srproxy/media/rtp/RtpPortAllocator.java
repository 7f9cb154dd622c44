package io.srproxy.media.rtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * Hands out UDP port pairs (even RTP port, RTCP = RTP + 1) from {@code [media] rtp_port_min..max}
 * and takes them back when a call ends. Ports another process holds are skipped.
 *
 * <p>Each allocation starts probing at a random pair: ports handed out in order are easy to guess,
 * and a guessed port lets a stranger aim RTP at a call before it starts.
 */
public final class RtpPortAllocator {

    /** A bound pair of channels; give it back with {@link RtpPortAllocator#release}. */
    public record PortPair(int rtpPort, DatagramChannel rtp, DatagramChannel rtcp) {}

    private final InetAddress bind;
    private final int min;
    private final int max;
    private final BitSet inUse = new BitSet();
    private final RandomGenerator random;
    private long allocations;

    public RtpPortAllocator(InetAddress bind, int min, int max) {
        this(bind, min, max, new SecureRandom());
    }

    RtpPortAllocator(InetAddress bind, int min, int max, RandomGenerator random) {
        int evenMin = min + (min & 1);
        if (evenMin + 1 > max) {
            throw new IllegalArgumentException("RTP port range " + min + ".." + max + " holds no even/odd pair");
        }
        this.bind = bind;
        this.min = evenMin;
        this.max = max;
        this.random = random;
    }

    /** Binds a free pair, trying each even port of the range once, from a random one on. */
    public synchronized PortPair allocate() throws IOException {
        int pairs = (max - min + 1) / 2;
        int start = random.nextInt(pairs);
        for (int i = 0; i < pairs; i++) {
            int port = min + 2 * ((start + i) % pairs);
            if (inUse.get(port - min)) {
                continue;
            }
            DatagramChannel rtp = tryBind(port);
            if (rtp == null) {
                continue;
            }
            DatagramChannel rtcp = tryBind(port + 1);
            if (rtcp == null) {
                rtp.close();
                continue;
            }
            inUse.set(port - min);
            allocations++;
            return new PortPair(port, rtp, rtcp);
        }
        throw new IOException("no free RTP port pair in " + min + ".." + max + " (" + inUse() + " in use)");
    }

    /** Closes both channels and frees the pair. Safe to call twice. */
    public synchronized void release(PortPair pair) {
        closeQuietly(pair.rtp());
        closeQuietly(pair.rtcp());
        inUse.clear(pair.rtpPort() - min);
    }

    /** Pairs currently handed out. */
    public synchronized int inUse() {
        return inUse.cardinality();
    }

    /** Pairs handed out since start, released or not (a refused call must not add to it). */
    public synchronized long allocations() {
        return allocations;
    }

    public InetAddress bindAddress() {
        return bind;
    }

    private DatagramChannel tryBind(int port) {
        DatagramChannel ch = null;
        try {
            // a wildcard bind is dual-stack (the JDK's default family where IPv6 is up), so a phone
            // whose SDP says IN IP6 is reachable whatever sip_local_ip's family
            ch = bind.isAnyLocalAddress() ? DatagramChannel.open()
                    : DatagramChannel.open(bind.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            ch.bind(new InetSocketAddress(bind, port));
            ch.configureBlocking(false);
            return ch;
        } catch (IOException taken) {
            closeQuietly(ch);
            return null;
        }
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a datagram channel cannot lose data
            }
        }
    }
}
