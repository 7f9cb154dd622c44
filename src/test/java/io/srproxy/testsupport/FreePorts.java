package io.srproxy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for tests, so that suites can run side by side.
 *
 * <p>A port is handed out between its check and the moment the test's server binds it. Ports the
 * kernel gives out for bind(0) and connect (the ephemeral range) and the tests' RTP ranges
 * (20000-60000) could take it in that window, which made a SIP agent fail with "Address already
 * in use" in CI. So ports come from above the ephemeral range, where nothing else binds, in a
 * sequence that starts at a random place per JVM (surefire runs several forks).
 */
public final class FreePorts {

    private static final int TOP = 65500; // sipp also binds its -mp port + 2 and + 3
    private static final int LOW = quietRangeStart();
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(TOP - LOW + 1));

    private FreePorts() {}

    /** A port free for both TCP and UDP on 127.0.0.1. */
    public static int tcpAndUdp() {
        if (LOW > TOP - 1000) {
            return ephemeral();
        }
        int span = TOP - LOW + 1;
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = LOW + Math.floorMod(NEXT.getAndAdd(7), span); // 7 is prime to most spans: a full cycle
            if (freeForTcpAndUdp(port)) {
                return port;
            }
        }
        return ephemeral();
    }

    private static boolean freeForTcpAndUdp(int port) {
        try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException busy) {
            return false;
        }
    }

    /** First port above the kernel's ephemeral range (61000 with Linux's default 32768-60999). */
    private static int quietRangeStart() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return Integer.parseInt(range[1]) + 1;
        } catch (IOException | RuntimeException unknown) {
            return 61000;
        }
    }

    private static int ephemeral() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException busy) {
                    // taken for UDP; try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free TCP+UDP port on loopback");
    }
}
