package io.srproxy.sip;

import gov.nist.core.net.SecurityManagerProvider;
import io.srproxy.auth.PemKeyStore;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;

/**
 * The keys of the SIP TLS listening point from PEM files ({@code sip_tls_cert}, {@code sip_tls_key})
 * and the certificates a server we connect to must chain to ({@code sip_tls_ca}, else the JDK's
 * trust store; {@code sip_tls_trust_all} takes any). JAIN-SIP makes it by name
 * ({@code gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER}) and passes the stack's properties, which
 * carry the file names under the {@code srproxy.tls.*} keys. Peers connecting to us need no
 * certificate (the SIP server is recognised by address, as over UDP).
 */
public final class PemSecurityManager implements SecurityManagerProvider {

    static final String CERT = "srproxy.tls.cert";
    static final String KEY = "srproxy.tls.key";
    static final String CA = "srproxy.tls.ca";
    static final String TRUST_ALL = "srproxy.tls.trustAll";

    private KeyManager[] keys;
    private TrustManager[] trust;

    public PemSecurityManager() {
        // made by JAIN-SIP by class name
    }

    @Override
    public void init(Properties p) throws GeneralSecurityException, IOException {
        String cert = p.getProperty(CERT);
        String key = p.getProperty(KEY);
        if (cert == null || key == null) {
            return; // no TLS listening point: JAIN-SIP leaves TLS off when the managers are null
        }
        KeyStore ks = PemKeyStore.load(Path.of(cert), Path.of(key));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PemKeyStore.PASSWORD);
        keys = kmf.getKeyManagers();
        if (Boolean.parseBoolean(p.getProperty(TRUST_ALL))) {
            trust = new TrustManager[] {TRUST_ANY};
            return;
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        String ca = p.getProperty(CA);
        tmf.init(ca == null ? null : caStore(Path.of(ca)));
        trust = tmf.getTrustManagers();
    }

    private static KeyStore caStore(Path file) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int n = 0;
        try (Reader r = Files.newBufferedReader(file); PEMParser parser = new PEMParser(r)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    ks.setCertificateEntry("ca-" + n++, new JcaX509CertificateConverter().getCertificate(h));
                }
            }
        }
        if (n == 0) {
            throw new GeneralSecurityException("sip_tls_ca " + file + ": no PEM certificate found");
        }
        return ks;
    }

    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return keys;
    }

    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return trust;
    }

    private static final X509TrustManager TRUST_ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // sip_tls_trust_all
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // sip_tls_trust_all
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
