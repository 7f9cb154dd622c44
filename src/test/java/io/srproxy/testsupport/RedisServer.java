package io.srproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian package {@code redis-server}) of the test's own, on 127.0.0.1 and
 * a free port, keeping nothing on disk. Fails with CI=true when it is not installed, else skips.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static RedisServer start() throws IOException, InterruptedException {
        return startOn(FreePorts.tcpAndUdp());
    }

    /** Kills it (as a crash would: nothing is kept); {@link #startOn} the same port brings up an empty one. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    public static RedisServer startOn(int port) throws IOException, InterruptedException {
        Path exe = Peers.redisServer();
        Path log = Files.createTempFile("redis-" + port + "-", ".log");
        Process p = new ProcessBuilder(List.of(exe.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RedisServer r = new RedisServer(p, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!r.ping()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                r.close();
                throw new IllegalStateException("redis-server did not answer PING on port " + port + ": "
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return r;
    }

    /** The redis-server process id (for its CPU time in /proc). */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** {@code GET key}: the value, or null when the key is absent. */
    public String get(String key) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            out.write(("*2\r\n$3\r\nGET\r\n$" + k.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(k);
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    head.append((char) b);
                }
            }
            if (head.length() < 2 || head.charAt(0) != '$' || head.toString().equals("$-1")) {
                return null;
            }
            return new String(in.readNBytes(Integer.parseInt(head.substring(1))), StandardCharsets.UTF_8);
        }
    }

    /** Sends one inline command and returns the first reply line (e.g. {@code +PONG}, {@code :3}). */
    public String command(String inline) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    private boolean ping() {
        try {
            return command("PING").equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
