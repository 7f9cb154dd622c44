package io.srproxy.rtc.webrtc;

import io.srproxy.media.rtp.RtpHeader;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.DTLSClientProtocol;

/**
 * A WebRTC peer in Java for tests and benchmarks, acting as a browser would: it writes an offer,
 * sends ICE checks with the answer's credentials, runs a BouncyCastle DTLS client with use_srtp,
 * and then sends and receives SRTP on a loopback UDP socket.
 */
public final class JavaWebRtcPeer implements AutoCloseable {

    final DatagramSocket socket;
    final String ufrag = "jv" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    final String pwd = "javapeerpassword" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 30));
    final DtlsSrtpHandshakeTest.Client dtlsClient;
    public final AtomicInteger rtpReceived = new AtomicInteger();
    public final AtomicInteger rtcpReceived = new AtomicInteger();
    public final CopyOnWriteArrayList<byte[]> received = new CopyOnWriteArrayList<>();
    private volatile QueueDatagramTransport dtlsIn;
    private volatile SrtpSession srtp;
    private InetSocketAddress server;
    private String serverUfrag;
    private String serverPwd;
    private final Thread reader;
    private volatile boolean closed;
    private volatile boolean reading = true;

    public JavaWebRtcPeer(int... srtpProfiles) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        dtlsClient = new DtlsSrtpHandshakeTest.Client(srtpProfiles.length == 0
                ? new int[] {SrtpProfile.AES128_CM_HMAC_SHA1_80.id} : srtpProfiles);
        reader = new Thread(this::readLoop, "java-peer-" + ufrag);
        reader.setDaemon(true);
        reader.start();
    }

    public String offer() {
        String common = "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n"
                + "a=fingerprint:sha-256 " + dtlsClient.identity.fingerprint() + "\r\na=setup:actpass\r\na=rtcp-mux\r\n";
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\n" + common
                + "a=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n" + common
                + "a=mid:1\r\na=sendrecv\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\n";
    }

    /** Reads the answer's credentials and port, checks ICE, and completes DTLS. */
    public void connect(String answer) throws IOException {
        serverUfrag = find(answer, "a=ice-ufrag:(\\S+)");
        serverPwd = find(answer, "a=ice-pwd:(\\S+)");
        String ip = find(answer, "a=candidate:\\S+ 1 udp \\d+ (\\S+) \\d+ typ host");
        int port = Integer.parseInt(find(answer, "a=candidate:\\S+ 1 udp \\d+ \\S+ (\\d+) typ host"));
        server = new InetSocketAddress(ip, port);
        dtlsIn = new QueueDatagramTransport((b, o, l) -> socket.send(new DatagramPacket(b, o, l, server)));
        sendCheck(serverPwd);
        new DTLSClientProtocol().connect(dtlsClient, dtlsIn);
        srtp = new SrtpSession(SrtpKeys.fromExporter(SrtpProfile.byId(dtlsClient.selected), dtlsClient.material), false);
    }

    /** A Binding request with USE-CANDIDATE, authenticated with {@code key} (the server's password). */
    public void sendCheck(String key) throws IOException {
        byte[] tx = new byte[12];
        ThreadLocalRandom.current().nextBytes(tx);
        byte[] buf = new byte[256];
        int len = new StunWriter(buf, 0, Stun.BINDING_REQUEST, tx, 0)
                .username(serverUfrag + ":" + ufrag)
                .attribute(Stun.ATTR_USE_CANDIDATE, new byte[0])
                .integrity(key.getBytes(StandardCharsets.UTF_8)).fingerprint().length();
        sendRaw(Arrays.copyOf(buf, len));
    }

    public void sendConsent() throws IOException {
        sendCheck(serverPwd);
    }

    public void sendWrongIntegrity() throws IOException {
        sendCheck("not-the-password-at-all!");
    }

    /** Protects and sends one RTP packet; {@code corruptTag} flips a bit of the auth tag. */
    public void sendRtp(int pt, int seq, long ts, long ssrc, byte[] payload, boolean corruptTag) throws IOException {
        byte[] b = new byte[12 + payload.length + SrtpSession.TRAILER_ROOM];
        RtpHeader.writeFixed(b, 0, false, pt, seq, ts, ssrc);
        System.arraycopy(payload, 0, b, 12, payload.length);
        int len = srtp.protectRtp(b, 0, 12 + payload.length);
        if (corruptTag) {
            b[len - 1] ^= 1;
        }
        socket.send(new DatagramPacket(b, 0, len, server));
    }

    /** Writes one protected RTP packet into {@code b} (with trailer room); returns its length. */
    public int protectRtp(byte[] b, int pt, int seq, long ts, long ssrc, byte[] payload) {
        RtpHeader.writeFixed(b, 0, false, pt, seq, ts, ssrc);
        System.arraycopy(payload, 0, b, 12, payload.length);
        return srtp.protectRtp(b, 0, 12 + payload.length);
    }

    /** This peer's UDP address (what the server sees as its source). */
    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Stops reading: later packets pile up in the socket buffer and are dropped (for benchmarks). */
    public void stopReading() {
        reading = false;
    }

    public void sendRtcp(byte[] plain) throws IOException {
        byte[] b = Arrays.copyOf(plain, plain.length + SrtpSession.TRAILER_ROOM);
        int len = srtp.protectRtcp(b, 0, plain.length);
        socket.send(new DatagramPacket(b, 0, len, server));
    }

    public void sendRaw(byte[] b) throws IOException {
        socket.send(new DatagramPacket(b, b.length, server));
    }

    private void readLoop() {
        byte[] buf = new byte[2048 + SrtpSession.TRAILER_ROOM];
        SrtpSession.Failure f = new SrtpSession.Failure();
        while (!closed && reading) {
            DatagramPacket p = new DatagramPacket(buf, 2048);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            int first = buf[0] & 0xFF;
            if (first >= 20 && first <= 63 && dtlsIn != null) {
                dtlsIn.offer(buf, 0, p.getLength());
            } else if (first >= 128 && first <= 191 && srtp != null) {
                if (RtpHeader.isRtcp(buf, 0, p.getLength())) {
                    int n = srtp.unprotectRtcp(buf, 0, p.getLength(), f);
                    if (n > 0) {
                        received.add(Arrays.copyOf(buf, n));
                        rtcpReceived.incrementAndGet();
                    }
                } else {
                    int n = srtp.unprotectRtp(buf, 0, p.getLength(), f);
                    if (n > 0) {
                        received.add(Arrays.copyOf(buf, n));
                        rtpReceived.incrementAndGet();
                    }
                }
            }
        }
    }

    private static String find(String sdp, String regex) {
        Matcher m = Pattern.compile(regex).matcher(sdp);
        if (!m.find()) {
            throw new IllegalArgumentException("answer lacks " + regex);
        }
        return m.group(1);
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        if (dtlsIn != null) {
            dtlsIn.close();
        }
    }
}
