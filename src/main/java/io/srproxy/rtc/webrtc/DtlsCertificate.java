package io.srproxy.rtc.webrtc;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The DTLS identity made at start: an ECDSA P-256 key and a self-signed certificate, with the
 * SHA-256 fingerprint that goes into every SDP answer (browsers check the handshake against it).
 */
public final class DtlsCertificate {

    private final Certificate certificate;
    private final AsymmetricKeyParameter privateKey;
    private final String fingerprint;

    private DtlsCertificate(Certificate certificate, AsymmetricKeyParameter privateKey, String fingerprint) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = fingerprint;
    }

    public static DtlsCertificate generate(BcTlsCrypto crypto, String commonName) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + commonName);
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(
                    name, new BigInteger(63, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))),
                    name, pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            byte[] der = holder.getEncoded();
            TlsCertificate tlsCert = new BcTlsCertificate(crypto, der);
            return new DtlsCertificate(
                    new Certificate(new TlsCertificate[] {tlsCert}),
                    PrivateKeyFactory.createKey(pair.getPrivate().getEncoded()),
                    sha256Fingerprint(der));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the DTLS certificate: " + e.getMessage(), e);
        }
    }

    /** "AB:CD:..." as in RFC 8122's a=fingerprint. */
    public static String sha256Fingerprint(byte[] der) {
        return fingerprint("sha-256", der);
    }

    /**
     * The fingerprint of {@code der} under an RFC 8122 hash name (sha-1, sha-256, sha-384, sha-512),
     * upper-case hex with colons; null for another hash.
     */
    public static String fingerprint(String hashName, byte[] der) {
        String jca = switch (hashName.toLowerCase(Locale.ROOT)) {
            case "sha-1" -> "SHA-1";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> null;
        };
        if (jca == null) {
            return null;
        }
        try {
            byte[] d = MessageDigest.getInstance(jca).digest(der);
            return HexFormat.ofDelimiter(":").formatHex(d).toUpperCase(Locale.ROOT);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code der} matches an a=fingerprint value ("sha-256 AB:CD:...", hash name in any
     * case); false for a hash we do not know or a malformed value.
     */
    public static boolean matches(String fingerprintAttribute, byte[] der) {
        String[] parts = fingerprintAttribute.trim().split("\\s+");
        if (parts.length != 2) {
            return false;
        }
        String actual = fingerprint(parts[0], der);
        return actual != null && actual.equalsIgnoreCase(parts[1]);
    }

    /** Signs our side of a (D)TLS handshake with this identity (ECDSA, SHA-256): the server's and the client's. */
    public TlsCredentialedSigner signer(TlsContext context, BcTlsCrypto crypto) {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey, certificate,
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    public Certificate certificate() {
        return certificate;
    }

    public AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** The SHA-256 fingerprint, upper-case hex with colons. */
    public String fingerprint() {
        return fingerprint;
    }
}
