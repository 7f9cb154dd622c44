package io.srproxy.media.rtp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * {@code [media] rtp_latching}: whether a SIP leg may take its media from another address than
 * its SDP names (symmetric RTP for phones behind NAT, which announce an address nobody can reach).
 */
public enum RtpLatching {
    /** Only from the SDP address; the phone must announce where it really sends from. */
    OFF,
    /** Latch onto the first source that sends RTP of a negotiated payload type with one SSRC. */
    ON,
    /**
     * Latch onto any source when the SDP address is private or unroutable (RFC 1918, CGNAT,
     * link-local, ULA, 0.0.0.0); else only onto the SDP address's own IP (a NAT may rewrite the port).
     */
    AUTO;

    /** How far a leg with {@code sdpAddress} may latch under this setting. */
    public Scope scopeFor(InetAddress sdpAddress) {
        return switch (this) {
            case OFF -> Scope.NONE;
            case ON -> Scope.ANY_SOURCE;
            case AUTO -> isPrivate(sdpAddress) ? Scope.ANY_SOURCE : Scope.SAME_IP;
        };
    }

    /** Where latching may move a leg's media source. */
    public enum Scope { NONE, SAME_IP, ANY_SOURCE }

    static boolean isPrivate(InetAddress a) {
        if (a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64; // 100.64.0.0/10, carrier-grade NAT
        }
        return a instanceof Inet6Address && (b[0] & 0xFE) == 0xFC; // fc00::/7, unique local
    }
}
