package io.srproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Relays TCP connections from one address to another, byte for byte, in this process or as its
 * own (main): run inside a {@link NetNamespace} it makes a service there that listens on loopback
 * only (Firefox's WebDriver BiDi) reachable at the namespace's address. Bounded: at most 64 connections, each
 * two threads; it ends when its parent kills it.
 */
public final class TcpRelay {

    static final String READY = "relay ready";
    private static final int MAX_CONNECTIONS = 64;

    private TcpRelay() {}

    /** {@code listenHost listenPort targetHost targetPort}; prints {@value #READY} once listening. */
    public static void main(String[] args) throws IOException {
        InetSocketAddress target = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 4, InetAddress.getByName(args[0]))) {
            System.out.println(READY);
            System.out.flush();
            serve(server, target);
        }
    }

    /**
     * The same in this process: relays from {@code listen} (port 0: one of its choice, {@link
     * ServerSocket#getLocalPort()}) to {@code target} until the returned socket is closed.
     */
    public static ServerSocket start(InetSocketAddress listen, InetSocketAddress target) throws IOException {
        ServerSocket server = new ServerSocket(listen.getPort(), 4, listen.getAddress());
        Thread t = new Thread(() -> {
            try {
                serve(server, target);
            } catch (IOException e) {
                // closed
            }
        }, "relay-accept");
        t.setDaemon(true);
        t.start();
        return server;
    }

    private static void serve(ServerSocket server, InetSocketAddress target) throws IOException {
        for (int n = 0; n < MAX_CONNECTIONS; n++) {
            Socket in = server.accept();
            Socket out = new Socket();
            try {
                out.connect(target, 5000);
            } catch (IOException e) {
                in.close();
                out.close();
                continue;
            }
            pump(in, out);
            pump(out, in);
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }, "relay");
        t.setDaemon(true);
        t.start();
    }
}
