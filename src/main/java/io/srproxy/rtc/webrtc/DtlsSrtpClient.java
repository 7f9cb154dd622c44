package io.srproxy.rtc.webrtc;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The DTLS 1.2 client side of DTLS-SRTP (RFC 5764), for a SIP peer that answers or offers
 * {@code a=setup:passive}: offers use_srtp (AES128_CM_HMAC_SHA1_80, then AEAD_AES_128_GCM), sends
 * our ECDSA certificate, checks the server's against the SDP fingerprint and exports the SRTP keys.
 */
public final class DtlsSrtpClient extends DefaultTlsClient {

    private static final int[] PROFILES = {SrtpProfile.AES128_CM_HMAC_SHA1_80.id, SrtpProfile.AEAD_AES_128_GCM.id};

    private final DtlsCertificate identity;
    private final String expectedServerFingerprint;
    private final int handshakeTimeoutMillis;
    private SrtpProfile chosen;
    private SrtpKeys keys;

    /** @param expectedServerFingerprint the peer's a=fingerprint value ("sha-256 AB:CD:...") */
    public DtlsSrtpClient(BcTlsCrypto crypto, DtlsCertificate identity, String expectedServerFingerprint,
                          int handshakeTimeoutMillis) {
        super(crypto);
        this.identity = identity;
        this.expectedServerFingerprint = expectedServerFingerprint;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    /** ECDHE only; ECDSA and RSA servers (phones often have RSA certificates). */
    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), new int[] {
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        });
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    public Hashtable getClientExtensions() throws IOException {
        Hashtable ext = super.getClientExtensions();
        if (ext == null) {
            ext = new Hashtable();
        }
        TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(PROFILES, new byte[0]));
        return ext;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        UseSRTPData answered = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (answered == null || answered.getProtectionProfiles().length != 1) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose no single SRTP protection profile");
        }
        chosen = SrtpProfile.byId(answered.getProtectionProfiles()[0]);
        if (chosen == null) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose an SRTP profile we did not offer");
        }
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                org.bouncycastle.tls.Certificate chain = serverCertificate.getCertificate();
                if (chain == null || chain.isEmpty()) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, "server sent no certificate");
                }
                if (!DtlsCertificate.matches(expectedServerFingerprint, chain.getCertificateAt(0).getEncoded())) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, "server certificate does not match the SDP fingerprint");
                }
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) {
                return identity.signer(context, (BcTlsCrypto) getCrypto());
            }
        };
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
