package io.srproxy.sip;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DTLS-SRTP's part of offer/answer (RFC 5763, RFC 4145 a=setup, RFC 8122 a=fingerprint): which
 * side is the DTLS client, what our a=setup says, and the peer's certificate fingerprint the
 * handshake must match. sip/ only negotiates; the handshake is the media side's.
 *
 * @param weAreClient     we open the DTLS handshake (the peer said passive)
 * @param ourSetup        our a=setup value: {@code actpass} in offers, {@code active}/{@code passive} in answers
 * @param peerFingerprint the peer's a=fingerprint value, e.g. {@code sha-256 AB:CD:...}
 */
public record DtlsSetup(boolean weAreClient, String ourSetup, String peerFingerprint) {

    /** What our offers say: the answerer picks the roles. */
    public static final String OFFER_SETUP = "actpass";

    private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){19,63}");

    /**
     * Our answer to a DTLS-SRTP offer: {@code actpass}, {@code active} or none (RFC 4145's default
     * is active) makes us passive, the DTLS server: the peer connects once it has our answer and
     * we hold no handshake thread before its first record. {@code passive} makes us active.
     */
    public static DtlsSetup answering(MediaDescription offer) throws SdpException {
        String fp = checkedFingerprint(offer, "offer");
        String setup = offer.setup() == null ? "active" : offer.setup().toLowerCase(Locale.ROOT);
        return switch (setup) {
            case "actpass", "active" -> new DtlsSetup(false, "passive", fp);
            case "passive" -> new DtlsSetup(true, "active", fp);
            default -> throw new SdpException(488, "DTLS-SRTP offer with a=setup:" + offer.setup()
                    + " (we take actpass, active or passive)");
        };
    }

    /**
     * The answer to a re-offer: {@code actpass} with the fingerprint of the association we have
     * keeps its roles, so it stays up (RFC 8842 section 5.5); anything else is a new association
     * as {@link #answering} says.
     */
    public static DtlsSetup reanswering(MediaDescription offer, DtlsSetup current) throws SdpException {
        DtlsSetup fresh = answering(offer);
        if (current != null && "actpass".equalsIgnoreCase(offer.setup())
                && current.peerFingerprint().equalsIgnoreCase(fresh.peerFingerprint())) {
            return new DtlsSetup(current.weAreClient(), current.weAreClient() ? "active" : "passive", fresh.peerFingerprint());
        }
        return fresh;
    }

    /** The roles from the answer to our {@code actpass} offer: its active makes us the server, passive the client. */
    public static DtlsSetup answered(MediaDescription answer) throws SdpException {
        String fp = checkedFingerprint(answer, "answer");
        String setup = answer.setup() == null ? "active" : answer.setup().toLowerCase(Locale.ROOT);
        return switch (setup) {
            case "active" -> new DtlsSetup(false, OFFER_SETUP, fp);
            case "passive" -> new DtlsSetup(true, OFFER_SETUP, fp);
            default -> throw new SdpException(488, "DTLS-SRTP answer with a=setup:" + answer.setup()
                    + " (an answer must say active or passive)");
        };
    }

    /** Whether {@code m} asks for DTLS-SRTP: UDP/TLS/RTP/SAVP(F), or RTP/SAVP(F) with a fingerprint and no a=crypto. */
    public static boolean wanted(MediaDescription m) {
        return m.dtlsProfile() || (m.secureProfile() && m.fingerprint() != null && m.crypto().isEmpty());
    }

    /** The a=fingerprint value, which must name a hash we can check and carry 20 to 64 hex bytes. */
    private static String checkedFingerprint(MediaDescription m, String what) throws SdpException {
        if (m.fingerprint() == null) {
            throw new SdpException(488, "DTLS-SRTP " + what + " (" + m.protocol() + ") without a=fingerprint");
        }
        String[] parts = m.fingerprint().trim().split("\\s+");
        String hash = parts[0].toLowerCase(Locale.ROOT);
        if (parts.length != 2 || !HEX.matcher(parts[1]).matches()) {
            throw new SdpException(488, "DTLS-SRTP " + what + " with a malformed a=fingerprint");
        }
        if (!hash.equals("sha-1") && !hash.equals("sha-256") && !hash.equals("sha-384") && !hash.equals("sha-512")) {
            throw new SdpException(488, "DTLS-SRTP " + what + " with an a=fingerprint hash we do not check: " + parts[0]
                    + " (we take sha-1, sha-256, sha-384, sha-512)");
        }
        return hash + " " + parts[1];
    }
}
