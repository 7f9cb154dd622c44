package io.srproxy.sip;

import gov.nist.core.net.DefaultNetworkLayer;
import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * JAIN-SIP's UDP sockets with one test hook, playing a descheduled thread on a loaded machine:
 * while {@link #armed}, the thread that sends the first 200 OK to an INVITE stays inside its send
 * (after the datagram left, before the stack starts the 200's retransmission timer) until an ACK
 * datagram has come in and the stack had {@link #GRACE_MS} to handle it.
 */
public final class StallingNetworkLayer implements NetworkLayer {

    static final long GRACE_MS = 300;
    static volatile boolean armed;
    static volatile CountDownLatch ackArrived = new CountDownLatch(1);
    static volatile CountDownLatch stalled = new CountDownLatch(1);

    static void arm() {
        ackArrived = new CountDownLatch(1);
        stalled = new CountDownLatch(1);
        armed = true;
    }

    private final NetworkLayer plain = DefaultNetworkLayer.SINGLETON;

    public StallingNetworkLayer() {
        // made by the stack through gov.nist.javax.sip.NETWORK_LAYER
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return new Hooked();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
        return new Hooked(port, laddr);
    }

    private static final class Hooked extends DatagramSocket {
        Hooked() throws SocketException {
            super();
        }

        Hooked(int port, InetAddress laddr) throws SocketException {
            super(port, laddr);
        }

        @Override
        public void send(DatagramPacket p) throws IOException {
            super.send(p);
            if (armed && startsWith(p, "SIP/2.0 200 ") && text(p).contains(" INVITE\r\n")) {
                armed = false;
                stalled.countDown();
                try {
                    if (ackArrived.await(10, TimeUnit.SECONDS)) {
                        Thread.sleep(GRACE_MS); // the stack's ACK handling runs on its own threads
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void receive(DatagramPacket p) throws IOException {
            super.receive(p);
            if (startsWith(p, "ACK ")) {
                ackArrived.countDown();
            }
        }

        private static boolean startsWith(DatagramPacket p, String prefix) {
            return p.getLength() >= prefix.length()
                    && new String(p.getData(), p.getOffset(), prefix.length(), StandardCharsets.US_ASCII).equals(prefix);
        }

        private static String text(DatagramPacket p) {
            return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return plain.createServerSocket(port, backlog, bindAddress);
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return plain.createSSLServerSocket(port, backlog, bindAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return plain.createSocket(address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
        return plain.createSocket(address, port, myAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
        return plain.createSocket(address, port, myAddress, myPort);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return plain.createSSLSocket(address, port);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
        return plain.createSSLSocket(address, port, myAddress);
    }

    @Override
    public void setSipStack(SipStackImpl sipStack) {
        // DefaultNetworkLayer needs none for sockets
    }
}
