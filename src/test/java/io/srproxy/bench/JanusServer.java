package io.srproxy.bench;

import io.srproxy.sip.harness.PeerProcess;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Janus (Debian's janus 1.1.x) for the load harness's side-by-side run, in the foreground with the
 * config kept in src/test/resources/janus/ (placeholders filled in): the SIP plugin and the
 * WebSocket transport only (the plugin and transport folders hold links to just those two
 * libraries), the WebSocket API on 127.0.0.1 and a free port, SIP and its RTP on 127.0.0.1,
 * WebRTC on this host's own IPv4 address (Janus never gathers loopback candidates; the harness's
 * peers bind there too, so the media stays on this host). Stopped (SIGTERM, then SIGKILL) on close.
 */
final class JanusServer implements AutoCloseable {

    private static final Path LIBS = Path.of("/usr/lib/x86_64-linux-gnu/janus");
    private static final List<String> CONFIGS = List.of("janus.jcfg", "janus.plugin.sip.jcfg", "janus.transport.websockets.jcfg");

    private final PeerProcess process;
    private final int wsPort;
    private final String iceIp;

    private JanusServer(PeerProcess process, int wsPort, String iceIp) {
        this.process = process;
        this.wsPort = wsPort;
        this.iceIp = iceIp;
    }

    /** Starts Janus with its config and log in {@code dir}; {@code debugLevel} 0..7 (3 = warnings), 8 adds libnice's log. */
    static JanusServer start(Path dir, int debugLevel) throws IOException, InterruptedException {
        Path janus = Peers.janus();
        Path libs = libraryDir();
        dir = Files.createDirectories(dir).toAbsolutePath();
        for (String sub : List.of("plugins", "transports", "events", "loggers")) {
            Files.createDirectories(dir.resolve(sub));
        }
        link(libs.resolve("plugins/libjanus_sip.so"), dir.resolve("plugins/libjanus_sip.so"));
        link(libs.resolve("transports/libjanus_websockets.so"), dir.resolve("transports/libjanus_websockets.so"));
        int wsPort = FreePorts.tcpAndUdp();
        // two 1000-port windows above srproxy's RTP range (20000..32000 in SrproxyChild)
        int base = 40000 + 2000 * ThreadLocalRandom.current().nextInt(10);
        String iceIp = hostIpv4();
        for (String name : CONFIGS) {
            String cfg;
            try (InputStream in = JanusServer.class.getResourceAsStream("/janus/" + name)) {
                cfg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            cfg = cfg.replace("@DIR@", dir.toString())
                    .replace("@DEBUG@", Integer.toString(Math.min(debugLevel, 7)))
                    .replace("@NICE_DEBUG@", Boolean.toString(debugLevel > 7)) // 8: libnice's own log too
                    .replace("@ICE_PORTS@", base + "-" + (base + 999))
                    .replace("@ICE_IP@", iceIp)
                    .replace("@SIP_RTP_PORTS@", (base + 1000) + "-" + (base + 1999))
                    .replace("@WS_PORT@", Integer.toString(wsPort));
            Files.writeString(dir.resolve(name), cfg);
        }
        PeerProcess p = PeerProcess.start("janus", List.of(janus.toString(), "-F", dir.toString(), "-C",
                dir.resolve("janus.jcfg").toString(), "-o", "-D"), dir);
        JanusServer server = new JanusServer(p, wsPort, iceIp);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("janus exited at start:\n" + p.tail());
            }
            try (Socket s = new Socket("127.0.0.1", wsPort)) {
                return server;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException("janus's WebSocket API did not listen on " + wsPort + " within 20 s:\n" + p.tail());
                }
                Thread.sleep(100);
            }
        }
    }

    private static Path libraryDir() {
        for (Path p : List.of(LIBS, Path.of("/usr/lib/aarch64-linux-gnu/janus"), Path.of("/usr/lib/janus"))) {
            if (Files.isRegularFile(p.resolve("plugins/libjanus_sip.so"))) {
                return p;
            }
        }
        throw new IllegalStateException("janus's SIP plugin (libjanus_sip.so) not found under " + LIBS);
    }

    private static void link(Path target, Path link) throws IOException {
        if (!Files.isRegularFile(target)) {
            throw new IllegalStateException(target + " is missing (Debian package janus)");
        }
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }

    /** The first IPv4 address of an up, non-loopback interface: where Janus's ICE candidates live. */
    static String hostIpv4() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        throw new IllegalStateException("Janus gathers no loopback ICE candidates, and this host has no other IPv4 address");
    }

    long pid() {
        return process.process().pid();
    }

    int wsPort() {
        return wsPort;
    }

    /** The address of Janus's WebRTC candidates. */
    String iceIp() {
        return iceIp;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String logTail() {
        return process.tail();
    }

    @Override
    public void close() {
        process.close();
    }
}
