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
 * Kamailio from Debian in FreeSWITCH's role, run in the foreground on 127.0.0.1 and a free port,
 * with the config kept in src/test/resources/kamailio/kamailio.cfg, its own runtime dir and pid file.
 */
public final class KamailioServer implements AutoCloseable {

    /** How 0&lt;uid&gt; reaches srproxy: the Request-URI keeps it, or names the extension with 0&lt;uid&gt; in To. */
    public enum ZeroMode { KEEP, TO }

    private final int port;
    private final Path dir;
    private final PeerProcess process;

    private KamailioServer(int port, Path dir, PeerProcess process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    public static KamailioServer start(String srproxyAccount, int pstnPort, ZeroMode mode, int nonceExpireSeconds) {
        Path kamailio = Peers.kamailio();
        int port = FreePorts.tcpAndUdp();
        try {
            Path dir = Files.createTempDirectory("srproxy-kamailio");
            String cfg;
            try (InputStream in = KamailioServer.class.getResourceAsStream("/kamailio/kamailio.cfg")) {
                cfg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            cfg = cfg.replace("@DEBUG@", "2")
                    .replace("@PORT@", Integer.toString(port))
                    .replace("@MPATH@", modulePath())
                    .replace("@NONCE_EXPIRE@", Integer.toString(nonceExpireSeconds))
                    .replace("@PSTN_PORT@", Integer.toString(pstnPort))
                    .replace("@SRPROXY_ACCOUNT@", srproxyAccount)
                    .replace("@ZERO_MODE@", mode.name().toLowerCase());
            Path file = dir.resolve("kamailio.cfg");
            Files.writeString(file, cfg);
            PeerProcess p = PeerProcess.start("kamailio", List.of(kamailio.toString(), "-f", file.toString(), "-DD", "-E",
                    "-m", "32", "-M", "4", "-Y", dir.toString(), "-P", dir.resolve("kamailio.pid").toString(),
                    "-w", dir.toString()), dir);
            KamailioServer k = new KamailioServer(port, dir, p);
            await("kamailio listening on " + port).atMost(Duration.ofSeconds(10)).until(() -> {
                if (!p.isAlive()) {
                    throw new AssertionError("kamailio exited:\n" + p.tail());
                }
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    public String log() {
        return process.output();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        process.close();
    }
}
