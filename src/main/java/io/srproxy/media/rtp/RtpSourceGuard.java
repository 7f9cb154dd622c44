package io.srproxy.media.rtp;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which source a SIP leg's RTP and RTCP may come from, and so where we send: the address the SDP
 * names, or, where {@link RtpLatching} allows, the one source we latched onto (symmetric RTP).
 * Everything else is a stray: dropped and counted, and it changes nothing.
 *
 * <p>A latch needs {@link #CONFIRM} packets in a row from one source with one SSRC and a
 * negotiated payload type; it happens once per offer/answer. A packet from the exact SDP address
 * always wins (it fixes the source for good, even over a latch), since it is what the signalling
 * said. The decisions run on the I/O thread without locks or allocation; the state the call
 * thread sets is one immutable {@link Target} swapped atomically, so a latch racing a new offer
 * is simply lost.
 */
final class RtpSourceGuard {

    static final int CONFIRM = 2;

    /** What {@link #onRtp} decided. */
    static final int ACCEPT = 0;
    /** Accepted, and the source we send to moved to the packet's source. */
    static final int ACCEPT_MOVED = 1;
    /** Dropped while deciding whether to latch onto this source (not a stray yet). */
    static final int HOLD = 2;
    static final int STRAY = 3;

    /**
     * Where we send and what we accept; {@code rtp} is the SDP address until a latch moves it.
     * A fixed address is the only source accepted from then on.
     */
    record Target(InetSocketAddress sdpRtp, InetSocketAddress sdpRtcp, boolean mux, RtpLatching.Scope scope,
                  InetSocketAddress rtp, boolean rtpFixed, InetSocketAddress rtcp, boolean rtcpFixed) {

        boolean latchedElsewhere() {
            return rtp != sdpRtp;
        }
    }

    private final RtpLatching latching;
    private final LongAdder shared;
    private final AtomicReference<Target> target = new AtomicReference<>();
    private volatile long ptLow;
    private volatile long ptHigh;
    private volatile boolean anyPayloadType = true;

    // the latch candidate: I/O thread only
    private Target candidateFor;
    private InetSocketAddress candidate;
    private long candidateSsrc;
    private int candidateCount;

    private volatile long strays;

    /** {@code shared} adds this leg's strays to a total over all legs. */
    RtpSourceGuard(RtpLatching latching, LongAdder shared) {
        this.latching = latching;
        this.shared = shared;
    }

    /**
     * The remote side of a new offer/answer. The same addresses as before keep the latch (a
     * re-INVITE for hold or a session refresh must not reopen it); new ones start afresh.
     */
    boolean setRemote(InetSocketAddress rtp, InetSocketAddress rtcp, boolean mux) {
        if (rtp.isUnresolved()) {
            throw new IllegalArgumentException("RTP address not resolved: " + rtp);
        }
        InetSocketAddress sdpRtcp = mux ? rtp : rtcp != null ? rtcp : new InetSocketAddress(rtp.getAddress(), rtp.getPort() + 1);
        Target now = target.get();
        if (now != null && now.mux() == mux && same(now.sdpRtp(), rtp) && same(now.sdpRtcp(), sdpRtcp)) {
            return false;
        }
        RtpLatching.Scope scope = latching.scopeFor(rtp.getAddress());
        boolean fixed = scope == RtpLatching.Scope.NONE;
        target.set(new Target(rtp, sdpRtcp, mux, scope, rtp, fixed, sdpRtcp, fixed || mux));
        return true;
    }

    /** The payload types the peer may send (ours and its own); none set = any. */
    void setPayloadTypes(int... types) {
        long low = 0;
        long high = 0;
        for (int pt : types) {
            if (pt >= 0 && pt < 64) {
                low |= 1L << pt;
            } else if (pt >= 64 && pt < 128) {
                high |= 1L << (pt - 64);
            }
        }
        ptLow = low;
        ptHigh = high;
        anyPayloadType = types.length == 0;
    }

    Target target() {
        return target.get();
    }

    long strays() {
        return strays;
    }

    /** An RTP packet (valid header) arrived on the RTP port from {@code from}. */
    int onRtp(byte[] b, int len, InetSocketAddress from) {
        Target t = target.get();
        if (t == null) {
            return stray();
        }
        if (same(from, t.rtp())) {
            if (!t.rtpFixed() && !t.latchedElsewhere()) {
                fixAtSdp(t);
            }
            return ACCEPT;
        }
        if (t.rtpFixed()) {
            return stray();
        }
        if (same(from, t.sdpRtp())) {
            return backToSdp(t) ? ACCEPT_MOVED : stray(); // the SDP address wins over a latch
        }
        if (t.latchedElsewhere() || !mayLatchFrom(t, from) || !expected(RtpHeader.payloadType(b, 0))) {
            return stray();
        }
        long ssrc = RtpHeader.ssrc(b, 0);
        if (candidateFor == t && same(from, candidate) && ssrc == candidateSsrc) {
            if (++candidateCount < CONFIRM) {
                return HOLD;
            }
            candidateFor = null;
            InetSocketAddress rtcp = t.mux() ? from : t.sdpRtcp();
            return target.compareAndSet(t, new Target(t.sdpRtp(), t.sdpRtcp(), t.mux(), t.scope(), from, false, rtcp, t.mux()))
                    ? ACCEPT_MOVED : stray();
        }
        if (candidateFor == t) {
            stray(); // the earlier candidate's held packet, now given up
        }
        candidateFor = t;
        candidate = from;
        candidateSsrc = ssrc;
        candidateCount = 1;
        return HOLD;
    }

    /** RTCP multiplexed on the RTP port: only from the RTP source. */
    boolean onRtcpOnRtpPort(InetSocketAddress from) {
        Target t = target.get();
        if (t != null && same(from, t.rtp())) {
            return true;
        }
        stray();
        return false;
    }

    /** RTCP on the RTCP port: from the SDP's RTCP address, or latched once from the RTP source's IP. */
    boolean onRtcpPort(InetSocketAddress from) {
        Target t = target.get();
        if (t == null || t.mux()) {
            stray();
            return false;
        }
        if (same(from, t.rtcp())) {
            return true;
        }
        if (!t.rtcpFixed() && t.scope() != RtpLatching.Scope.NONE && from.getAddress().equals(t.rtp().getAddress())
                && target.compareAndSet(t, new Target(t.sdpRtp(), t.sdpRtcp(), t.mux(), t.scope(), t.rtp(), t.rtpFixed(),
                from, true))) {
            return true;
        }
        stray();
        return false;
    }

    /** The SDP address itself sent first: it is the source from now on. */
    private void fixAtSdp(Target t) {
        target.compareAndSet(t, new Target(t.sdpRtp(), t.sdpRtcp(), t.mux(), t.scope(), t.rtp(), true, t.rtcp(), t.rtcpFixed()));
    }

    /** The SDP address sent after we had latched elsewhere: back to it, for good. */
    private boolean backToSdp(Target t) {
        return target.compareAndSet(t, new Target(t.sdpRtp(), t.sdpRtcp(), t.mux(), t.scope(), t.sdpRtp(), true,
                t.sdpRtcp(), t.mux()));
    }

    private static boolean mayLatchFrom(Target t, InetSocketAddress from) {
        return switch (t.scope()) {
            case NONE -> false;
            case SAME_IP -> from.getAddress().equals(t.sdpRtp().getAddress());
            case ANY_SOURCE -> true;
        };
    }

    private boolean expected(int pt) {
        if (anyPayloadType) {
            return true;
        }
        return pt < 64 ? (ptLow >>> pt & 1) != 0 : (ptHigh >>> (pt - 64) & 1) != 0;
    }

    private int stray() {
        strays++; // one writer, the I/O thread
        shared.increment();
        return STRAY;
    }

    /** Same address and port, without allocating (the JDK's equals would do too, but says less). */
    static boolean same(InetSocketAddress a, InetSocketAddress b) {
        return a != null && b != null && a.getPort() == b.getPort() && a.getAddress().equals(b.getAddress());
    }
}
