package io.srproxy.rtc.webrtc;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The DTLS 1.2 server side of DTLS-SRTP (RFC 5764) on BouncyCastle: offers our ECDSA certificate,
 * requires the client's and checks it against the fingerprint from the SDP offer, negotiates
 * use_srtp (AES128_CM_HMAC_SHA1_80 preferred, else AEAD_AES_128_GCM) and exports the SRTP keys.
 */
public final class DtlsSrtpServer extends DefaultTlsServer {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DtlsSrtpServer.class);

    /** CM first: our own CM path allocates nothing per packet (docs/benchmarks.md); GCM runs on jitsi-srtp. */
    private static final SrtpProfile[] PREFERENCE = {SrtpProfile.AES128_CM_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM};

    private final DtlsCertificate identity;
    private final String expectedClientFingerprint;
    private final int handshakeTimeoutMillis;
    private SrtpProfile chosen;
    private SrtpKeys keys;

    /**
     * @param expectedClientFingerprint the offer's a=fingerprint sha-256 value, or a whole a=fingerprint
     *                                  value ("sha-1 AB:..."), or null to accept any (tests with a BouncyCastle client)
     */
    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate identity, String expectedClientFingerprint,
                          int handshakeTimeoutMillis) {
        super(crypto);
        this.identity = identity;
        this.expectedClientFingerprint = expectedClientFingerprint;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    /** Our certificate is ECDSA, so only ECDHE_ECDSA suites can be chosen. */
    @Override
    protected int[] getSupportedCipherSuites() {
        return org.bouncycastle.tls.TlsUtils.getSupportedCipherSuites(getCrypto(), new int[] {
            org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
            org.bouncycastle.tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        });
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() {
        return identity.signer(context, (BcTlsCrypto) getCrypto());
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        log.debug("DTLS alert raised: {} {} {}", AlertDescription.getText(alertDescription), message,
                cause == null ? "" : cause.toString(), cause);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offered == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "client offered no use_srtp extension");
        }
        for (SrtpProfile want : PREFERENCE) {
            for (int id : offered.getProtectionProfiles()) {
                if (id == want.id && chosen == null) {
                    chosen = want;
                }
            }
        }
        if (chosen == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP protection profile");
        }
    }

    @Override
    public Hashtable getServerExtensions() throws IOException {
        Hashtable ext = super.getServerExtensions();
        if (ext == null) {
            ext = new Hashtable();
        }
        TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {chosen.id}, new byte[0]));
        return ext;
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        Vector<SignatureAndHashAlgorithm> algs = new Vector<>();
        algs.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        algs.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
        algs.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa));
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign}, algs, null);
    }

    @Override
    public void notifyClientCertificate(org.bouncycastle.tls.Certificate clientCertificate) throws IOException {
        if (clientCertificate == null || clientCertificate.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "client sent no certificate");
        }
        if (expectedClientFingerprint != null) {
            byte[] der = clientCertificate.getCertificateAt(0).getEncoded();
            boolean match = expectedClientFingerprint.indexOf(' ') > 0
                    ? DtlsCertificate.matches(expectedClientFingerprint, der) // "hash value", as SIP peers may use any hash
                    : DtlsCertificate.sha256Fingerprint(der).equalsIgnoreCase(expectedClientFingerprint);
            if (!match) {
                throw new TlsFatalAlert(AlertDescription.bad_certificate, "client certificate does not match the SDP fingerprint");
            }
        }
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeys.exporterLength(chosen));
        keys = SrtpKeys.fromExporter(chosen, material);
    }

    /** The exported keys; null until the handshake completed. */
    public SrtpKeys keys() {
        return keys;
    }
}
