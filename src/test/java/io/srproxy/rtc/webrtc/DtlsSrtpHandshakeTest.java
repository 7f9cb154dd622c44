package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.media.rtp.RtpHeader;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * A DTLS handshake between a BouncyCastle DTLS client and our server over in-memory datagrams,
 * then SRTP/SRTCP both ways with the exported keys: round trip, bad tag and replay rejected.
 */
class DtlsSrtpHandshakeTest {

    private static final BcTlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom());

    /** A DTLS-SRTP client as a browser would be: offers use_srtp, presents its certificate. */
    public static final class Client extends DefaultTlsClient {
        final DtlsCertificate identity = DtlsCertificate.generate(CRYPTO, "client");
        final int[] profiles;
        String serverFingerprint;
        byte[] material;

        Client(int... profiles) {
            super(CRYPTO);
            this.profiles = profiles;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        public Hashtable getClientExtensions() throws IOException {
            Hashtable ext = super.getClientExtensions();
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(profiles, new byte[0]));
            return ext;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate cert) throws IOException {
                    serverFingerprint = DtlsCertificate.sha256Fingerprint(cert.getCertificate().getCertificateAt(0).getEncoded());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), CRYPTO,
                            identity.privateKey(), identity.certificate(),
                            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
                }
            };
        }

        int selected;

        @Override
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            selected = TlsSRTPUtils.getUseSRTPExtension(serverExtensions).getProtectionProfiles()[0];
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                    SrtpKeys.exporterLength(SrtpProfile.byId(selected)));
        }
    }

    record Handshake(DtlsSrtpServer server, Client client) {}

    private static Handshake handshake(Client client, String expectedClientFingerprint) throws Exception {
        DtlsCertificate serverId = DtlsCertificate.generate(CRYPTO, "srproxy");
        QueueDatagramTransport[] ends = new QueueDatagramTransport[2];
        ends[0] = new QueueDatagramTransport((b, o, l) -> ends[1].offer(b, o, l));
        ends[1] = new QueueDatagramTransport((b, o, l) -> ends[0].offer(b, o, l));
        DtlsSrtpServer server = new DtlsSrtpServer(CRYPTO, serverId, expectedClientFingerprint, 5000);
        CompletableFuture<Void> serverDone = CompletableFuture.runAsync(() -> {
            try {
                DTLSServerProtocol p = new DTLSServerProtocol();
                p.accept(server, ends[0]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            new DTLSClientProtocol().connect(client, ends[1]);
            serverDone.get(10, TimeUnit.SECONDS);
        } finally {
            ends[0].close();
            ends[1].close();
        }
        assertThat(client.serverFingerprint).isEqualTo(serverId.fingerprint());
        return new Handshake(server, client);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void handshakeExportsMatchingKeysAndSrtpWorksBothWays(SrtpProfile profile) throws Exception {
        Client client = new Client(profile.id);
        Handshake h = handshake(client, client.identity.fingerprint());
        SrtpKeys serverKeys = h.server().keys();
        assertThat(serverKeys.profile()).isEqualTo(profile);
        SrtpKeys clientKeys = SrtpKeys.fromExporter(profile, client.material);
        assertThat(clientKeys.clientKey()).isEqualTo(serverKeys.clientKey());
        assertThat(clientKeys.serverSalt()).isEqualTo(serverKeys.serverSalt());

        try (SrtpSession server = new SrtpSession(serverKeys, true);
             SrtpSession browser = new SrtpSession(clientKeys, false)) {
            SrtpSession.Failure failure = new SrtpSession.Failure();
            for (int seq = 1; seq <= 3; seq++) {
                byte[] plain = rtp(seq);
                byte[] buf = Arrays.copyOf(plain, plain.length + SrtpSession.TRAILER_ROOM);
                int len = browser.protectRtp(buf, 0, plain.length);
                assertThat(len).isEqualTo(plain.length + profile.overhead());
                assertThat(Arrays.copyOfRange(buf, 12, plain.length)).isNotEqualTo(Arrays.copyOfRange(plain, 12, plain.length));
                byte[] replay = buf.clone();
                assertThat(server.unprotectRtp(buf, 0, len, failure)).isEqualTo(plain.length);
                assertThat(Arrays.copyOf(buf, plain.length)).isEqualTo(plain);
                // the same packet again is a replay
                assertThat(server.unprotectRtp(replay, 0, len, failure)).isEqualTo(-1);
                assertThat(failure.last).isIn(SrtpErrorStatus.REPLAY_FAIL, SrtpErrorStatus.REPLAY_OLD);
            }
            // a flipped bit in the tag fails authentication
            byte[] plain = rtp(10);
            byte[] buf = Arrays.copyOf(plain, plain.length + SrtpSession.TRAILER_ROOM);
            int len = server.protectRtp(buf, 0, plain.length);
            byte[] bad = buf.clone();
            bad[len - 1] ^= 1;
            assertThat(browser.unprotectRtp(bad, 0, len, failure)).isEqualTo(-1);
            assertThat(failure.last).isEqualTo(SrtpErrorStatus.AUTH_FAIL);
            assertThat(browser.unprotectRtp(buf, 0, len, failure)).isEqualTo(plain.length);

            // SRTCP: a PLI
            byte[] pli = {(byte) 0x81, (byte) 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2};
            byte[] rtcp = Arrays.copyOf(pli, pli.length + SrtpSession.TRAILER_ROOM);
            int rlen = browser.protectRtcp(rtcp, 0, pli.length);
            assertThat(rlen).isEqualTo(pli.length + 4 + profile.overhead());
            assertThat(server.unprotectRtcp(rtcp, 0, rlen, failure)).isEqualTo(pli.length);
            assertThat(Arrays.copyOf(rtcp, pli.length)).isEqualTo(pli);
        }
    }

    @Test
    void prefersCmWhenBothAreOffered() throws Exception {
        Client client = new Client(SrtpProfile.AEAD_AES_128_GCM.id, SrtpProfile.AES128_CM_HMAC_SHA1_80.id);
        assertThat(handshake(client, null).server().keys().profile()).isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
    }

    @Test
    void clientCertificateNotMatchingTheOfferIsRefused() {
        Client client = new Client(SrtpProfile.AES128_CM_HMAC_SHA1_80.id);
        assertThatThrownBy(() -> handshake(client, "00:11:22"))
                .hasStackTraceContaining("bad_certificate");
    }

    private static byte[] rtp(int seq) {
        byte[] b = new byte[12 + 160];
        RtpHeader.writeFixed(b, 0, false, 0, seq, 160L * seq, 0x1234);
        for (int i = 12; i < b.length; i++) {
            b[i] = (byte) (i * 7 + seq);
        }
        return b;
    }
}
