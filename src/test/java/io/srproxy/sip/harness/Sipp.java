package io.srproxy.sip.harness;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** sipp (Debian's sip-tester) running one call of a scenario kept in src/test/resources/sipp. */
public final class Sipp implements AutoCloseable {

    private final PeerProcess process;
    private final int port;
    private final int mediaPort;

    private Sipp(PeerProcess process, int port, int mediaPort) {
        this.process = process;
        this.port = port;
        this.mediaPort = mediaPort;
    }

    /** A UAS on {@code 127.0.0.1:port}, ready when this returns; RTP echoed on its media port. */
    public static Sipp uas(String scenario, int port, String... keys) {
        return uas(scenario, port, 1, keys);
    }

    /**
     * A UAS that serves {@code calls} calls before it exits. The port is the test's (its SIP
     * server routes there), so when something holds it for a moment (the last test's sipp still
     * exiting, or another sipp's second RTP echo port, media port + 2, which no one reserved)
     * sipp exits at once, and it is started again on the same port, a few times.
     */
    public static Sipp uas(String scenario, int port, int calls, String... keys) {
        return uas(scenario, port, calls, DEFAULT_TIMEOUT, keys);
    }

    /** As {@link #uas(String, int, int, String...)}, running up to {@code timeout} (sipp's -timeout). */
    public static Sipp uas(String scenario, int port, int calls, Duration timeout, String... keys) {
        for (int attempt = 1; ; attempt++) {
            Sipp s = start(scenario, "127.0.0.1", port, null, null, calls, timeout, keys);
            String[] exited = new String[1];
            await("sipp listening on " + port).atMost(Duration.ofSeconds(10)).until(() -> {
                if (!s.process.isAlive()) {
                    exited[0] = s.process.tail();
                    return true;
                }
                return udpTaken("127.0.0.1", port);
            });
            if (exited[0] == null) {
                return s;
            }
            s.close();
            if (attempt == 5 || !exited[0].toLowerCase().contains("address already in use")) {
                throw new AssertionError("sipp exited:\n" + exited[0]);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while port " + port + " was busy", e);
            }
        }
    }

    /**
     * A UAC from {@code localIp} calling {@code service} at {@code target}. A free port can be taken
     * by another process before sipp binds it; then sipp exits at once and another port is tried.
     */
    public static Sipp uac(String scenario, String localIp, String target, String service, String... keys) {
        return uac(scenario, localIp, target, service, DEFAULT_TIMEOUT, keys);
    }

    /** As {@link #uac(String, String, String, String, String...)}, for a call that may last up to {@code timeout}. */
    public static Sipp uac(String scenario, String localIp, String target, String service, Duration timeout, String... keys) {
        for (int attempt = 1; ; attempt++) {
            Sipp s = start(scenario, localIp, FreePorts.tcpAndUdp(), target, service, 1, timeout, keys);
            boolean exitedAtOnce;
            try {
                await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofMillis(500)).until(() -> !s.process.isAlive());
                exitedAtOnce = true;
            } catch (org.awaitility.core.ConditionTimeoutException stillRunning) {
                exitedAtOnce = false;
            }
            String out = s.process.output().toLowerCase();
            if (!exitedAtOnce || !(out.contains("bind") || out.contains("address already in use")) || attempt == 3) {
                return s;
            }
            s.close();
        }
    }

    /** sipp's own limit on a whole run (-timeout), past which it fails. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static Sipp start(String scenario, String ip, int port, String target, String service, int calls,
                              Duration timeout, String... keys) {
        Path sipp = Peers.sipp();
        try {
            Path dir = Files.createTempDirectory("srproxy-sipp");
            Path file = dir.resolve(scenario);
            try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
                if (in == null) {
                    throw new IllegalArgumentException("no scenario " + scenario);
                }
                String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (int i = 0; i + 1 < keys.length; i += 2) {
                    if (keys[i].startsWith("@")) {
                        text = text.replace(keys[i], keys[i + 1]); // where sipp takes no keyword (status line)
                    }
                }
                Files.writeString(file, text, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            int mediaPort = FreePorts.tcpAndUdp();
            List<String> cmd = new ArrayList<>(List.of(sipp.toString(), "-sf", file.toString(), "-i", ip, "-bind_local",
                    "-p", Integer.toString(port), "-mi", ip, "-mp", Integer.toString(mediaPort), "-rtp_echo",
                    "-m", Integer.toString(calls), "-nostdin", "-timeout", Long.toString(timeout.toSeconds()), "-timeout_error",
                    "-trace_err", "-trace_msg"));
            for (int i = 0; i + 1 < keys.length; i += 2) {
                if (keys[i].startsWith("@")) {
                    continue;
                }
                cmd.addAll(List.of("-key", keys[i], keys[i + 1]));
            }
            if (service != null) {
                cmd.addAll(List.of("-s", service));
            }
            if (target != null) {
                cmd.add(target);
            }
            return new Sipp(PeerProcess.start("sipp", cmd, dir), port, mediaPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean udpTaken(String ip, int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), port))) {
            return false;
        } catch (IOException taken) {
            return true;
        }
    }

    public int port() {
        return port;
    }

    /** Whether sipp is still running its scenario (a UAC exits once its call has ended). */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Completes when sipp exits (the scenario done, failed, or timed out). */
    public java.util.concurrent.CompletableFuture<Process> ended() {
        return process.process().onExit();
    }

    public int mediaPort() {
        return mediaPort;
    }

    /** Waits for sipp to finish its call; fails with its messages when the scenario failed. */
    public void assertPassed() {
        assertPassed(DEFAULT_TIMEOUT);
    }

    /** As {@link #assertPassed()}, waiting up to {@code atMost}. */
    public void assertPassed(Duration atMost) {
        int code = process.waitFor(atMost.toSeconds());
        if (code != 0) {
            throw new AssertionError("sipp scenario failed (exit " + code + "):\n" + errors());
        }
    }

    /** Every message sipp sent and received so far (its -trace_msg log). */
    public String messages() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(process.outputFile().getParent())) {
            for (Path f : files.filter(f -> f.toString().endsWith("_messages.log")).toList()) {
                b.append(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // not written yet
        }
        return b.toString();
    }

    /** sipp's error and message traces. */
    public String errors() {
        StringBuilder b = new StringBuilder(process.tail());
        try (var files = Files.list(process.outputFile().getParent())) {
            for (Path f : files.filter(f -> f.toString().endsWith("_errors.log") || f.toString().endsWith("_messages.log")).toList()) {
                String t = Files.readString(f);
                b.append("\n--- ").append(f.getFileName()).append('\n').append(t.length() > 8000 ? t.substring(t.length() - 8000) : t);
            }
        } catch (IOException ignored) {
            // best effort diagnostics
        }
        return b.toString();
    }

    @Override
    public void close() {
        process.close();
    }
}
