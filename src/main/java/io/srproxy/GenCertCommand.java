package io.srproxy;

import io.srproxy.auth.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code srproxy gen-cert}: a self-signed certificate and key for trying HTTPS/WSS. */
@Command(name = "gen-cert", mixinStandardHelpOptions = true,
        description = "Write a self-signed ECDSA certificate and key (PEM) for [rtm] tls_cert / tls_key.")
final class GenCertCommand implements Callable<Integer> {

    @Option(names = "--cert", defaultValue = "srproxy-cert.pem", description = "certificate file (default: ${DEFAULT-VALUE})")
    Path cert;

    @Option(names = "--key", defaultValue = "srproxy-key.pem", description = "private key file (default: ${DEFAULT-VALUE})")
    Path key;

    @Option(names = "--name", split = ",", defaultValue = "localhost,127.0.0.1,::1",
            description = "host names and addresses the certificate is for (default: ${DEFAULT-VALUE})")
    List<String> names;

    @Option(names = "--days", defaultValue = "365", description = "validity in days (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--force", description = "overwrite existing files")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (!force && (Files.exists(cert) || Files.exists(key))) {
            System.err.println(cert + " or " + key + " exists; use --force to overwrite");
            return 1;
        }
        X509Certificate c = SelfSignedCertificate.write(cert, key, names, Duration.ofDays(days));
        System.out.println("wrote " + cert + " and " + key + " (" + c.getSubjectX500Principal().getName()
                + ", valid until " + c.getNotAfter().toInstant() + ")");
        System.out.println("set in rtx.conf:  [rtm]  tls_cert=" + cert.toAbsolutePath() + "  tls_key=" + key.toAbsolutePath());
        return 0;
    }
}
