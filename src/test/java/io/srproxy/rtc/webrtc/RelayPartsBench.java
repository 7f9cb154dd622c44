package io.srproxy.rtc.webrtc;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import io.srproxy.testsupport.RandomSrtpKeys;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * What the per-packet parts of a relayed call cost on this machine, each measured alone on one
 * thread in that thread's CPU time (user and system): a datagram sent or received on a call's own
 * SIP socket and on the shared WebRTC port, through the same calls srproxy makes, and the SRTP of a
 * packet. Nothing waits on the far side, so no wake-ups are counted, which a real run adds; the
 * routing, the selector and the JVM's own threads are not counted either. Their sum is what a
 * relayed call cannot cost less than without fewer or cheaper system calls or cheaper SRTP.
 * See docs/benchmarks.md, "A relayed call's packets, part by part".
 *
 * <p>A relayed call is, per second: 50 datagrams from the browser on the shared WebRTC port
 * (batched {@code recvmmsg}), 50 SRTP unprotects, 50 sends on the call's own SIP socket
 * ({@code DatagramChannel.send}); and back, 50 receives on that socket, 50 SRTP protects, 50 sends
 * on the WebRTC port (batched {@code sendmmsg}). An app to app channel is 100 of each WebRTC-side
 * operation and 100 of each SRTP operation. The sockets and sessions are many (one per call, as in
 * srproxy), used in turn, so that caches are as cold as under load.
 *
 * <p>{@code java -cp $CP io.srproxy.rtc.webrtc.RelayPartsBench [calls] [seconds per figure]}:
 * loopback only, ephemeral ports, bounded in count and time.
 */
public final class RelayPartsBench {

    private static final int PCMU_PACKET = 12 + 160;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        if (!LinuxUdpSocket.available()) {
            throw new IllegalStateException("needs srproxy's native UDP socket (64-bit Linux)");
        }
        System.out.printf("%d calls' sockets and SRTP sessions, %.0f s per figure, CPU time of the measuring thread%n", calls, seconds);
        List<DatagramChannel> callSockets = new ArrayList<>();
        try (DatagramChannel sink = bigBuffered(DatagramChannel.open());
             LinuxUdpSocket port = new LinuxUdpSocket(new InetSocketAddress(LOOPBACK, 0), false, 4 << 20, 1000, 2048)) {
            for (int i = 0; i < calls; i++) {
                DatagramChannel ch = DatagramChannel.open();
                ch.bind(new InetSocketAddress(LOOPBACK, 0));
                ch.configureBlocking(false);
                callSockets.add(ch);
            }
            InetSocketAddress sinkAddress = (InetSocketAddress) sink.getLocalAddress();
            InetSocketAddress portAddress = new InetSocketAddress(LOOPBACK, port.localPort());

            sipSends(callSockets, sink, sinkAddress, seconds); // a first round of each warms the JIT and the kernel's caches
            sipReceives(callSockets, seconds);
            portSends(port, sink, sinkAddress, seconds);
            portReceives(port, callSockets, portAddress, seconds);
            srtp(calls, seconds);
            double sipSend = sipSends(callSockets, sink, sinkAddress, seconds);
            double sipReceive = sipReceives(callSockets, seconds);
            double portSend = portSends(port, sink, sinkAddress, seconds);
            double portReceive = portReceives(port, callSockets, portAddress, seconds);
            double[] srtp = srtp(calls, seconds);
            double protect = srtp[0];
            double unprotect = srtp[1];
            System.out.printf("per datagram: SIP socket send %.2f us, SIP socket receive %.2f us, WebRTC port send (sendmmsg) %.2f us,"
                    + " WebRTC port receive (recvmmsg) %.2f us%n", sipSend, sipReceive, portSend, portReceive);
            System.out.printf("per packet: SRTP protect %.2f us, SRTP unprotect %.2f us (%d sessions in turn)%n", protect, unprotect, calls);
            double relayed = 50 * (portReceive + unprotect + sipSend) + 50 * (sipReceive + protect + portSend);
            double appToApp = 100 * (portReceive + unprotect + protect + portSend);
            System.out.printf("a relayed call's parts: %.0f us of CPU per second (sockets %.0f, SRTP %.0f)%n",
                    relayed, 50 * (portReceive + sipSend + sipReceive + portSend), 50 * (unprotect + protect));
            System.out.printf("an app to app channel's parts: %.0f us of CPU per second (sockets %.0f, SRTP %.0f)%n",
                    appToApp, 100 * (portReceive + portSend), 100 * (unprotect + protect));
        } finally {
            for (DatagramChannel ch : callSockets) {
                ch.close();
            }
        }
    }

    private static DatagramChannel bigBuffered(DatagramChannel ch) throws java.io.IOException {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.bind(new InetSocketAddress(LOOPBACK, 0));
        ch.configureBlocking(false);
        return ch;
    }

    /** Empties {@code sink} (not measured: a far end's work). */
    private static void drain(DatagramChannel sink, ByteBuffer scratch) throws java.io.IOException {
        do {
            scratch.clear();
        } while (sink.receive(scratch) != null);
    }

    /** As srproxy sends to phones: one datagram from each call's own socket in turn. */
    private static double sipSends(List<DatagramChannel> sockets, DatagramChannel sink, InetSocketAddress to, double seconds)
            throws java.io.IOException {
        ByteBuffer packet = ByteBuffer.wrap(new byte[PCMU_PACKET]);
        ByteBuffer scratch = ByteBuffer.allocate(2048);
        long cpu = 0;
        long count = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            long c0 = CPU.getCurrentThreadCpuTime();
            for (DatagramChannel ch : sockets) { // one round of the calls, as the sink's buffer holds
                packet.clear();
                ch.send(packet, to);
            }
            cpu += CPU.getCurrentThreadCpuTime() - c0;
            count += sockets.size();
            drain(sink, scratch);
        }
        return cpu / 1e3 / count;
    }

    /** As srproxy's RTP loops read: one datagram from each call's socket in turn. */
    private static double sipReceives(List<DatagramChannel> sockets, double seconds) throws Exception {
        ByteBuffer packet = ByteBuffer.wrap(new byte[PCMU_PACKET]);
        ByteBuffer into = ByteBuffer.allocate(2048);
        long cpu = 0;
        long count = 0;
        try (DatagramChannel phone = DatagramChannel.open()) {
            phone.bind(new InetSocketAddress(LOOPBACK, 0));
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (DatagramChannel ch : sockets) {
                addresses.add((InetSocketAddress) ch.getLocalAddress());
            }
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                for (InetSocketAddress a : addresses) { // the phones' side: not measured
                    packet.clear();
                    phone.send(packet, a);
                }
                long c0 = CPU.getCurrentThreadCpuTime();
                for (DatagramChannel ch : sockets) {
                    into.clear();
                    if (ch.receive(into) != null) {
                        count++;
                    }
                }
                cpu += CPU.getCurrentThreadCpuTime() - c0;
            }
        }
        return cpu / 1e3 / count;
    }

    /** As the WebRTC port's readers send to browsers: batches of up to {@link LinuxUdpSocket#SEND_BATCH}. */
    private static double portSends(LinuxUdpSocket port, DatagramChannel sink, InetSocketAddress to, double seconds)
            throws java.io.IOException {
        byte[] packet = new byte[PCMU_PACKET + 10];
        ByteBuffer scratch = ByteBuffer.allocate(2048);
        LinuxUdpSocket.Batch batch = port.newSendBatch();
        long cpu = 0;
        long count = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            long c0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < 1000; i++) {
                batch.add(packet, 0, packet.length, to);
                if (i % 8 == 7) {
                    batch.flush(); // about the batch a reader sends under load (docs/benchmarks.md)
                }
            }
            batch.flush();
            cpu += CPU.getCurrentThreadCpuTime() - c0;
            count += 1000;
            drain(sink, scratch);
        }
        return cpu / 1e3 / count;
    }

    /** As the WebRTC port's readers read: batches of what the browsers sent, from many senders. */
    private static double portReceives(LinuxUdpSocket port, List<DatagramChannel> browsers, InetSocketAddress to, double seconds)
            throws java.io.IOException {
        ByteBuffer packet = ByteBuffer.wrap(new byte[PCMU_PACKET + 10]);
        byte[] into = new byte[2048];
        long cpu = 0;
        long count = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (DatagramChannel b : browsers) { // the browsers' side: not measured
                packet.clear();
                b.send(packet, to);
            }
            long c0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < browsers.size(); i++) {
                if (port.receive(into, into.length) == null) {
                    break; // dropped by a full buffer: counted as not received
                }
                count++;
            }
            cpu += CPU.getCurrentThreadCpuTime() - c0;
        }
        return cpu / 1e3 / count;
    }

    /** Protect and unprotect of a PCMU packet, one session per call used in turn: {protect, unprotect} in us. */
    private static double[] srtp(int calls, double seconds) {
        SecureRandom random = new SecureRandom();
        SrtpSession[] ours = new SrtpSession[calls];
        SrtpSession[] theirs = new SrtpSession[calls];
        for (int i = 0; i < calls; i++) {
            SrtpKeys keys = RandomSrtpKeys.of(random);
            ours[i] = new SrtpSession(keys, true);
            theirs[i] = new SrtpSession(keys, false);
        }
        byte[] b = new byte[PCMU_PACKET + SrtpSession.TRAILER_ROOM];
        byte[][] fromBrowser = new byte[calls][PCMU_PACKET + SrtpSession.TRAILER_ROOM];
        int[] lengths = new int[calls];
        SrtpSession.Failure failure = new SrtpSession.Failure();
        long protectCpu = 0;
        long unprotectCpu = 0;
        long count = 0;
        int seq = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            seq++;
            for (int i = 0; i < calls; i++) { // what each browser sends us: not measured
                header(fromBrowser[i], seq, i);
                lengths[i] = theirs[i].protectRtp(fromBrowser[i], 0, PCMU_PACKET);
            }
            long c0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                header(b, seq, i);
                ours[i].protectRtp(b, 0, PCMU_PACKET);
            }
            long c1 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) { // into the one buffer a reader receives in
                System.arraycopy(fromBrowser[i], 0, b, 0, lengths[i]);
                if (ours[i].unprotectRtp(b, 0, lengths[i], failure) < 0) {
                    throw new IllegalStateException("unprotect failed: " + failure.last);
                }
            }
            long c2 = CPU.getCurrentThreadCpuTime();
            protectCpu += c1 - c0;
            unprotectCpu += c2 - c1;
            count += calls;
        }
        for (int i = 0; i < calls; i++) {
            ours[i].close();
            theirs[i].close();
        }
        return new double[] {protectCpu / 1e3 / count, unprotectCpu / 1e3 / count};
    }

    private static void header(byte[] b, int seq, int ssrc) {
        b[0] = (byte) 0x80;
        b[1] = 0; // PCMU
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        int ts = seq * 160;
        b[4] = (byte) (ts >>> 24);
        b[5] = (byte) (ts >>> 16);
        b[6] = (byte) (ts >>> 8);
        b[7] = (byte) ts;
        b[8] = (byte) (ssrc >>> 24);
        b[9] = (byte) (ssrc >>> 16);
        b[10] = (byte) (ssrc >>> 8);
        b[11] = (byte) ssrc;
    }
}
