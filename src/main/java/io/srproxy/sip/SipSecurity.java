package io.srproxy.sip;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How the agent reaches the SIP server and protects the SIP leg's media.
 *
 * @param transport   UDP, TCP or TLS toward the server: Via, Contact and the Request-URI's transport
 * @param tlsCert     PEM certificate chain of our TLS listening point; null = no TLS listening point
 * @param tlsKey      its PEM private key
 * @param tlsPort     the TLS listening port; 0 = the SIP port + 1 (the 5060/5061 convention)
 * @param tlsCa       PEM certificates the server's certificate must chain to; null = the JDK's trust store
 * @param tlsTrustAll take any certificate (tests only)
 * @param srtp        SRTP (SDES or DTLS-SRTP) on the SIP leg's media
 */
public record SipSecurity(Transport transport, Path tlsCert, Path tlsKey, int tlsPort, Path tlsCa,
                          boolean tlsTrustAll, Srtp srtp) {

    /** UDP, no TLS listening point, plain RTP: what srproxy did before these settings existed. */
    public static final SipSecurity DEFAULTS = new SipSecurity(Transport.UDP, null, null, 0, null, false, Srtp.OFF);

    public SipSecurity {
        if (transport == Transport.TLS && tlsCert == null) {
            throw new IllegalArgumentException("SIP over TLS needs a certificate and key (sip_tls_cert, sip_tls_key)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("sip_tls_cert and sip_tls_key go together");
        }
    }

    /** The transport toward the SIP server; its {@link #token()} is what Via and URIs say. */
    public enum Transport {
        UDP, TCP, TLS;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * SDES-SRTP on the SIP leg (RFC 4568): {@code OFF} plain RTP only (an RTP/SAVP offer gets 488);
     * {@code OFFER} our offers are RTP/SAVP with a key, offers with a key get SRTP, plain offers plain
     * RTP; {@code REQUIRE} as OFFER, but a plain offer gets 488 and a plain answer ends the call;
     * {@code DTLS} our offers are DTLS-SRTP (UDP/TLS/RTP/SAVP, RFC 5763), a plain offer gets 488.
     * Under every policy but OFF, a DTLS-SRTP offer gets DTLS-SRTP.
     */
    public enum Srtp { OFF, OFFER, REQUIRE, DTLS }

    public boolean tls() {
        return tlsCert != null;
    }

    public SipSecurity withSrtp(Srtp policy) {
        return new SipSecurity(transport, tlsCert, tlsKey, tlsPort, tlsCa, tlsTrustAll, policy);
    }
}
