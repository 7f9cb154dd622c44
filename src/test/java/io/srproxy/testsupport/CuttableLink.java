package io.srproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a free loopback port toward {@code 127.0.0.1:targetPort}. {@link #cut()} makes it
 * drop every byte both ways while keeping the sockets open, like a pulled cable or a phone leaving
 * Wi-Fi: neither side gets a FIN, an RST or a WebSocket close frame. At most {@code maxLinks}
 * connections are relayed (two threads each); the rest are refused.
 */
public final class CuttableLink implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final int maxLinks;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    public CuttableLink(int targetPort, int maxLinks) {
        this.targetPort = targetPort;
        this.maxLinks = maxLinks;
        try {
            this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "cuttable-link-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing gets through, and nobody is told. */
    public void cut() {
        cut = true;
    }

    private void accept() {
        int links = 0;
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (++links > maxLinks) {
                    client.close();
                    continue;
                }
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (!cut) {
                        out.write(buf, 0, n);
                    }
                }
                if (!cut) {
                    to.shutdownOutput();
                }
            } catch (IOException ended) {
                // one side went away; close() cleans up
            }
        }, "cuttable-link-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
