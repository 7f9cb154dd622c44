package io.srproxy.sip;

import io.srproxy.media.PayloadFormat;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The audio part of an SDP body: where the side receives RTP (and RTCP), its payload formats in
 * preference order, ptime, direction and rtcp-mux, the m-line's transport protocol
 * ({@code RTP/AVP}, {@code RTP/SAVP}, ...), its {@code a=crypto} values in order, and for DTLS-SRTP
 * its {@code a=fingerprint} and {@code a=setup} values (media level, else session level; null when absent).
 */
public record MediaDescription(String sessionAddress, InetSocketAddress rtp, InetSocketAddress rtcp,
                               List<PayloadFormat> codecs, int ptime, MediaDirection direction, boolean rtcpMux,
                               String protocol, List<String> crypto, String fingerprint, String setup) {

    /** Plain RTP/AVP without keys. */
    public MediaDescription(String sessionAddress, InetSocketAddress rtp, InetSocketAddress rtcp,
                            List<PayloadFormat> codecs, int ptime, MediaDirection direction, boolean rtcpMux) {
        this(sessionAddress, rtp, rtcp, codecs, ptime, direction, rtcpMux, "RTP/AVP", List.of(), null, null);
    }

    /** Whether the m-line is DTLS-SRTP's ({@code UDP/TLS/RTP/SAVP}, {@code UDP/TLS/RTP/SAVPF}). */
    public boolean dtlsProfile() {
        return protocol.toUpperCase(java.util.Locale.ROOT).startsWith("UDP/TLS/");
    }

    /** Whether the m-line asks for SRTP ({@code RTP/SAVP}, {@code RTP/SAVPF}, {@code UDP/TLS/RTP/SAVP}...). */
    public boolean secureProfile() {
        return protocol.toUpperCase(java.util.Locale.ROOT).contains("SAVP");
    }

    /** Old-style hold: a connection address of 0.0.0.0 (RFC 2543). */
    public boolean holdAddress() {
        return rtp.getAddress() != null && rtp.getAddress().isAnyLocalAddress();
    }

    /** The direction to act on, counting c=0.0.0.0 or port 0 as inactive. */
    public MediaDirection effectiveDirection() {
        return holdAddress() || rtp.getPort() == 0 ? MediaDirection.INACTIVE : direction;
    }
}
