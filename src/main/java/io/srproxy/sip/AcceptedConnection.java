package io.srproxy.sip;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rules every accepted SIP TCP or TLS connection follows, whatever JAIN-SIP channel carries
 * it: admitted only from a trusted source within the connection limits, its bytes checked by
 * {@link SipStreamSizeCheck} before the parser sees them, and its place in the limits given back
 * exactly once when it closes.
 */
final class AcceptedConnection {

    private final StackGuards guards;
    private final InetAddress source;
    private final boolean admitted;
    private final SipStreamSizeCheck sizeCheck;
    private final AtomicBoolean released = new AtomicBoolean();

    private AcceptedConnection(StackGuards guards, InetAddress source, boolean admitted) {
        this.guards = guards;
        this.source = source;
        this.admitted = admitted;
        this.sizeCheck = new SipStreamSizeCheck(guards.limits().maxMessageSize());
    }

    /** Decides on a connection from {@code source} (taking a place in the limits when admitted). */
    static AcceptedConnection admit(StackGuards guards, InetAddress source) {
        boolean admitted = guards.admission().connection(source)
                && guards.admission().connectionWithinLimits(guards.connections().acquire(source), source);
        return new AcceptedConnection(guards, source, admitted);
    }

    boolean admitted() {
        return admitted;
    }

    /** Throws (and reports) when {@code bytes} make a message over {@code sip_max_message_size}. */
    void checkSize(byte[] bytes) {
        try {
            sizeCheck.check(bytes);
        } catch (SipStreamSizeCheck.TooLarge e) {
            guards.admission().tooLarge(source, e.getMessage());
            throw e; // JAIN-SIP closes the connection on any exception here
        }
    }

    /** The connection closed: its place in the limits is given back (once). */
    void release() {
        if (admitted && released.compareAndSet(false, true)) {
            guards.connections().release(source);
        }
    }
}
