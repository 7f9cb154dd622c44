package io.srproxy.sip.harness;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Kamailio from Debian in FreeSWITCH's role, run in the foreground on 127.0.0.1 (or ::1, see
 * {@link #startOnIpv6}) and a free port, with the config kept in
 * src/test/resources/kamailio/kamailio.cfg, its own runtime dir and pid file.
 */
public final class KamailioServer implements AutoCloseable {

    /** How 0&lt;uid&gt; reaches srproxy: the Request-URI keeps it, or names the extension with 0&lt;uid&gt; in To. */
    public enum ZeroMode { KEEP, TO }

    private final String host;
    private final int port;
    private final int tlsPort;
    private final Path dir;
    private final List<String> command;
    private PeerProcess process;
    private int runs;

    private KamailioServer(String host, int port, int tlsPort, Path dir, List<String> command) {
        this.host = host;
        this.port = port;
        this.tlsPort = tlsPort;
        this.dir = dir;
        this.command = command;
    }

    public static KamailioServer start(String srproxyAccount, int pstnPort, ZeroMode mode, int nonceExpireSeconds) {
        return start(srproxyAccount, pstnPort, mode, nonceExpireSeconds, NO_LOAD_USERS);
    }

    /**
     * Like {@link #start(String, int, ZeroMode, int)}, and users whose name matches
     * {@code loadUsers} (a Kamailio regex, e.g. {@code ^7[0-9]{5}$}) may register too, password 1234:
     * the load harness's Janus users, called directly by their number.
     */
    public static KamailioServer start(String srproxyAccount, int pstnPort, ZeroMode mode, int nonceExpireSeconds,
                                       String loadUsers) {
        KamailioServer k = prepare(IPV4, srproxyAccount, pstnPort, mode, nonceExpireSeconds, loadUsers, false);
        k.startAgain();
        return k;
    }

    /** As {@link #start(String, int, ZeroMode, int)}, listening on ::1 only (IPv6 loopback). */
    public static KamailioServer startOnIpv6(String srproxyAccount, int pstnPort, ZeroMode mode, int nonceExpireSeconds) {
        KamailioServer k = prepare("::1", srproxyAccount, pstnPort, mode, nonceExpireSeconds, NO_LOAD_USERS, false);
        k.startAgain();
        return k;
    }

    /**
     * As {@link #start(String, int, ZeroMode, int)}, also listening for SIP over TLS on {@link #tlsPort()}
     * with a fresh self-signed certificate ({@link #tlsCertificate()}, for a client's trust list).
     */
    public static KamailioServer startWithTls(String srproxyAccount, int pstnPort, ZeroMode mode, int nonceExpireSeconds) {
        KamailioServer k = prepare(IPV4, srproxyAccount, pstnPort, mode, nonceExpireSeconds, NO_LOAD_USERS, true);
        k.startAgain();
        return k;
    }

    /**
     * As {@link #start(String, int, ZeroMode, int)}, with the {@code dialog} module keeping every
     * call to srproxy alive (-A WITH_DIALOG_KA: in-dialog OPTIONS to srproxy's side every
     * {@link #KA_INTERVAL}; a dialog whose srproxy side stops answering ends with BYE to the other side).
     */
    public static KamailioServer startWithDialogKeepalives(String srproxyAccount, int pstnPort, ZeroMode mode) {
        KamailioServer k = prepare(IPV4, srproxyAccount, pstnPort, mode, 300, NO_LOAD_USERS, false, true);
        k.startAgain();
        return k;
    }

    /** ka_interval in kamailio.cfg's WITH_DIALOG_KA (Kamailio 5.6 refuses less than 30 s). */
    public static final Duration KA_INTERVAL = Duration.ofSeconds(30);

    /**
     * The longest a dialog whose srproxy side died lives on with WITH_DIALOG_KA: the next keep-alive
     * (ka_interval, checked every ka_timer = 1 s), its timeout (tm fr_timer, 4 s), then the dialog
     * module's fixed 10 s before it times the dialog out with BYEs, on its 1 s timer.
     */
    public static final Duration KA_BOUND = KA_INTERVAL.plusSeconds(1 + 4 + 10 + 1);

    /** Config written and port chosen, not running yet (a SIP server that is down when srproxy starts). */
    public static KamailioServer prepare(String srproxyAccount, int pstnPort, ZeroMode mode, int nonceExpireSeconds) {
        return prepare(IPV4, srproxyAccount, pstnPort, mode, nonceExpireSeconds, NO_LOAD_USERS, false);
    }

    private static final String IPV4 = "127.0.0.1";

    /** Matches no user name (an empty To user cannot register). */
    private static final String NO_LOAD_USERS = "^$";

    private static KamailioServer prepare(String host, String srproxyAccount, int pstnPort, ZeroMode mode,
                                          int nonceExpireSeconds, String loadUsers, boolean tls) {
        return prepare(host, srproxyAccount, pstnPort, mode, nonceExpireSeconds, loadUsers, tls, false);
    }

    private static KamailioServer prepare(String host, String srproxyAccount, int pstnPort, ZeroMode mode,
                                          int nonceExpireSeconds, String loadUsers, boolean tls, boolean dialogKeepalives) {
        Path kamailio = Peers.kamailio();
        int port = FreePorts.tcpAndUdp();
        int tlsPort = 0;
        while (tls && (tlsPort == 0 || tlsPort == port)) {
            tlsPort = FreePorts.tcpAndUdp();
        }
        try {
            Path dir = Files.createTempDirectory("srproxy-kamailio");
            if (tls) {
                writeTlsConfig(dir);
            }
            String cfg;
            try (InputStream in = KamailioServer.class.getResourceAsStream("/kamailio/kamailio.cfg")) {
                cfg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            cfg = cfg.replace("@DEBUG@", "2")
                    .replace("@HOST@", uriHost(host))
                    .replace("@PORT@", Integer.toString(port))
                    .replace("@MPATH@", modulePath())
                    .replace("@NONCE_EXPIRE@", Integer.toString(nonceExpireSeconds))
                    .replace("@PSTN_PORT@", Integer.toString(pstnPort))
                    .replace("@SRPROXY_ACCOUNT@", srproxyAccount)
                    .replace("@ZERO_MODE@", mode.name().toLowerCase())
                    .replace("@LOAD_USERS@", loadUsers)
                    .replace("@TLS_PORT@", Integer.toString(tlsPort))
                    .replace("@TLS_CFG@", dir.resolve("tls.cfg").toString());
            Path file = dir.resolve("kamailio.cfg");
            Files.writeString(file, cfg);
            List<String> command = new java.util.ArrayList<>(List.of(kamailio.toString(), "-f", file.toString(), "-DD", "-E",
                    "-m", "32", "-M", "4", "-Y", dir.toString(), "-P", dir.resolve("kamailio.pid").toString(),
                    "-w", dir.toString()));
            if (tls) {
                command.addAll(List.of("-A", "WITH_TLS"));
            }
            if (dialogKeepalives) {
                command.addAll(List.of("-A", "WITH_DIALOG_KA"));
            }
            return new KamailioServer(host, port, tlsPort, dir, List.copyOf(command));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts Kamailio on its port (again, after {@link #stop()}): usrloc is in memory, so a
     * restarted Kamailio has forgotten every registration, like a restarted FreeSWITCH.
     */
    public void startAgain() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("kamailio is running");
        }
        runs++;
        PeerProcess p = PeerProcess.start(runs == 1 ? "kamailio" : "kamailio-" + runs, command, dir);
        process = p;
        await("kamailio listening on " + port).atMost(Duration.ofSeconds(10)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("kamailio exited:\n" + p.tail());
            }
            try (Socket s = new Socket(host, port)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** Stops Kamailio (the SIP server goes away); {@link #startAgain()} brings it back on the same port. */
    public void stop() {
        if (process != null) {
            process.close();
        }
    }

    /** A self-signed certificate for 127.0.0.1 and Kamailio's tls.cfg: TLS 1.2+, no certificate checked. */
    private static void writeTlsConfig(Path dir) throws IOException {
        try {
            io.srproxy.auth.SelfSignedCertificate.write(dir.resolve("kamailio-cert.pem"), dir.resolve("kamailio-key.pem"),
                    List.of("127.0.0.1"), Duration.ofDays(1));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        String side = "method = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n";
        Files.writeString(dir.resolve("tls.cfg"), "[server:default]\n" + side
                + "private_key = " + dir.resolve("kamailio-key.pem") + "\ncertificate = " + dir.resolve("kamailio-cert.pem")
                + "\n\n[client:default]\n" + side);
    }

    /** The SIP over TLS port; 0 unless started {@link #startWithTls with TLS}. */
    public int tlsPort() {
        return tlsPort;
    }

    /** Kamailio's self-signed certificate (PEM), when started with TLS. */
    public Path tlsCertificate() {
        return dir.resolve("kamailio-cert.pem");
    }

    private static String modulePath() {
        for (String p : new String[] {"/usr/lib/x86_64-linux-gnu/kamailio/modules/", "/usr/lib/aarch64-linux-gnu/kamailio/modules/",
                "/usr/lib/kamailio/modules/", "/usr/lib64/kamailio/modules/"}) {
            if (Files.isDirectory(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("kamailio modules not found");
    }

    public int port() {
        return port;
    }

    /** The address it listens on: 127.0.0.1 or ::1. */
    public String host() {
        return host;
    }

    /** {@link #host()} as a SIP URI or rtx.conf {@code sip_svr} writes it: IPv6 in brackets. */
    public String uriHost() {
        return uriHost(host);
    }

    private static String uriHost(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** What the current (or last) run printed. */
    public String log() {
        return process == null ? "" : process.output();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        stop();
    }
}
