package io.srproxy.media.rtp;

import io.srproxy.media.MediaCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * Where the SIP legs' RTP sessions come from: the port range ({@link RtpPortAllocator}), the I/O
 * loops ({@link RtpIoLoops}, a new session on the least loaded) and the counters every session
 * adds to. The wiring builds it and hands it to the SIP agent, which opens one session per call
 * that goes ahead; closing it stops the loops (after the agent, which closes its sessions).
 */
public final class RtpSessions implements AutoCloseable {

    private final RtpPortAllocator ports;
    private final RtpIoLoops loops;
    private final MediaCounters counters = new MediaCounters();

    /**
     * @param bind       the address RTP sockets bind to ({@code sip_local_ip})
     * @param portMin    {@code [media] rtp_port_min}
     * @param portMax    {@code [media] rtp_port_max}
     * @param threadName I/O loop threads are named {@code threadName-0..}
     * @param ioThreads  {@code [media] io_threads}: 0 = one loop per available processor
     */
    public RtpSessions(InetAddress bind, int portMin, int portMax, String threadName, int ioThreads) {
        this.ports = new RtpPortAllocator(bind, portMin, portMax);
        this.loops = new RtpIoLoops(threadName, ioThreads);
    }

    /** Takes a port pair and starts reading it on the least loaded loop. */
    public RtpSession open(ScheduledExecutorService timers, LongSupplier nanoClock, RtpSession.Options options,
                           RtpSessionListener listener) throws IOException {
        return RtpSession.open(ports, loops.leastLoaded(), timers, nanoClock, options, listener, counters);
    }

    public InetAddress bindAddress() {
        return ports.bindAddress();
    }

    /** Port pairs in use now. */
    public int portsInUse() {
        return ports.inUse();
    }

    /** Port pairs taken since start. */
    public long portsAllocated() {
        return ports.allocations();
    }

    /** What every session received and sent. */
    public MediaCounters counters() {
        return counters;
    }

    /** Exceptions the receive paths threw (bugs; each dropped its packet). */
    public long unexpectedErrors() {
        return loops.unexpectedErrors();
    }

    @Override
    public void close() {
        loops.close();
    }
}
