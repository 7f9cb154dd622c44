package io.srproxy.sip;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The audio part of an SDP body: where the side receives RTP (and RTCP), its payload formats in
 * preference order, ptime, direction and rtcp-mux.
 */
public record MediaDescription(String sessionAddress, InetSocketAddress rtp, InetSocketAddress rtcp,
                               List<Codec> codecs, int ptime, MediaDirection direction, boolean rtcpMux) {

    /** Old-style hold: a connection address of 0.0.0.0 (RFC 2543). */
    public boolean holdAddress() {
        return rtp.getAddress() != null && rtp.getAddress().isAnyLocalAddress();
    }

    /** The direction to act on, counting c=0.0.0.0 or port 0 as inactive. */
    public MediaDirection effectiveDirection() {
        return holdAddress() || rtp.getPort() == 0 ? MediaDirection.INACTIVE : direction;
    }
}
