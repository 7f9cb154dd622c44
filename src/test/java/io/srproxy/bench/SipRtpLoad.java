package io.srproxy.bench;

import com.sun.management.ThreadMXBean;
import io.srproxy.media.rtp.RtpIoLoop;
import io.srproxy.media.rtp.RtpPortAllocator;
import io.srproxy.media.rtp.RtpSession;
import io.srproxy.media.rtp.RtpSessionListener;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load harness for the SIP leg's RTP session (docs/benchmarks.md, "SIP RTP session"): one session
 * sends 20 ms G.711 frames over loopback to another as fast as the receiver keeps up; prints
 * packets per second and the bytes the RTP I/O thread allocates per received packet (the receive
 * path promises none). Run on demand, never as a test.
 */
public final class SipRtpLoad {

    private SipRtpLoad() {}

    public static void main(String[] args) throws Exception {
        int packets = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        InetAddress lo = InetAddress.getLoopbackAddress();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        RtpIoLoop io = new RtpIoLoop("bench-rtp-io");
        RtpPortAllocator ports = new RtpPortAllocator(lo, 41000, 41100);
        RtpSession.Options options = new RtpSession.Options(Duration.ofSeconds(30), Duration.ofSeconds(5));
        RtpSessionListener quiet = new RtpSessionListener() { };
        try (RtpSession a = RtpSession.open(ports, io, timers, System::nanoTime, options, quiet);
             RtpSession b = RtpSession.open(ports, io, timers, System::nanoTime, options, quiet)) {
            a.setRemote(b.localRtpAddress(), null, false);
            b.setRemote(a.localRtpAddress(), null, false);
            AtomicLong received = new AtomicLong();
            b.setPacketHandler((buf, off, len) -> received.lazySet(received.get() + 1));
            byte[] frame = new byte[160];
            ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long ioThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("bench-rtp-io")).findFirst().orElseThrow().getId();
            for (int round = 0; round < 2; round++) { // round 0 warms up
                long start = received.get();
                long ioBytes = mx.getThreadAllocatedBytes(ioThread);
                long sendBytes = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
                long t0 = System.nanoTime();
                int sent = 0;
                while (sent < packets) {
                    a.sendPayload(0, frame, 0, 160, 160, false);
                    sent++;
                    while (sent - (received.get() - start) > 64) {
                        Thread.onSpinWait(); // keep at most 64 in flight so the socket buffer never drops
                    }
                }
                while (received.get() - start < packets * 99L / 100) {
                    Thread.onSpinWait();
                }
                long ns = System.nanoTime() - t0;
                long got = received.get() - start;
                double ioPerPacket = (double) (mx.getThreadAllocatedBytes(ioThread) - ioBytes) / got;
                double sendPerPacket = (double) (mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - sendBytes) / sent;
                if (round == 1) {
                    System.out.printf("packets sent %d, received %d in %.2f s: %.0f packets/s%n", sent, got, ns / 1e9,
                            got / (ns / 1e9));
                    System.out.printf("allocated per packet: receive (RTP I/O thread) %.2f B, send %.2f B%n",
                            ioPerPacket, sendPerPacket);
                }
            }
        } finally {
            io.close();
            timers.shutdownNow();
        }
    }
}
