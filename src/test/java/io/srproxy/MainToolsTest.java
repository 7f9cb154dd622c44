package io.srproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.auth.LoginTokens;
import io.srproxy.auth.PemKeyStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The gen-cert and token subcommands. */
class MainToolsTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int exit = new CommandLine(new Main()).execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void genCertWritesAPairThatLoadsAndRefusesToOverwrite() throws Exception {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        Run first = run("gen-cert", "--cert", cert.toString(), "--key", key.toString());
        assertThat(first.exit()).isZero();
        assertThat(first.out()).contains("tls_cert=" + cert.toAbsolutePath());
        assertThat(PemKeyStore.firstCertificate(PemKeyStore.load(cert, key)).getSubjectX500Principal().getName()).contains("CN=localhost");
        assertThat(Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Run second = run("gen-cert", "--cert", cert.toString(), "--key", key.toString());
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.err()).contains("use --force");
    }

    @Test
    void tokenMintsWhatTheVerifierAccepts() throws Exception {
        Path conf = Files.writeString(dir.resolve("rtx.conf"), "[global]\nappid=demo\napp_cert=s3cret\n");
        Run r = run("token", "--uid", "1234", "--ttl", "600", conf.toString());
        assertThat(r.exit()).isZero();
        String token = r.out().strip();
        LoginTokens verifier = new LoginTokens("demo", "s3cret", Clock.systemUTC());
        assertThat(verifier.verify(token, "1234").accepted()).isTrue();
        assertThat(verifier.verify(token, "4321").accepted()).isFalse();
    }

    @Test
    void tokenWithoutAppCertSaysTokensAreNotNeeded() throws Exception {
        Path conf = Files.writeString(dir.resolve("rtx.conf"), "[global]\nappid=demo\n");
        Run r = run("token", "--uid", "1234", conf.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("app_cert is not set");
    }
}
