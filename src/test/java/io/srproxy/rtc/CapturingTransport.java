package io.srproxy.rtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory transport for router tests: records what is sent to it, and can inject packets. */
public final class CapturingTransport implements MediaTransport {

    final List<byte[]> sentRtp = new CopyOnWriteArrayList<>();
    final List<byte[]> sentRtcp = new CopyOnWriteArrayList<>();
    private final List<PayloadFormat> codecs;
    private final long ssrc;
    private volatile PacketHandler handler = PacketHandler.NONE;
    /** What its "SDP" negotiated for received header extensions; tests set it. */
    volatile RtpExtensions extensions = RtpExtensions.NONE;
    private boolean plainRtp;

    public CapturingTransport(long ssrc, PayloadFormat... codecs) {
        this.ssrc = ssrc;
        this.codecs = List.of(codecs);
    }

    /** The RTP packets sent to it so far (for tests outside this package). */
    public List<byte[]> sent() {
        return sentRtp;
    }

    /** A capturing transport that plays a phone (a plain RTP member: hears the conference mix in a group). */
    public static CapturingTransport phone(long ssrc, PayloadFormat... codecs) {
        CapturingTransport t = new CapturingTransport(ssrc, codecs);
        t.plainRtp = true;
        return t;
    }

    @Override
    public boolean plainRtp() {
        return plainRtp;
    }

    /** Delivers a packet as if it arrived from the network (copied, with trailer room). */
    void receiveRtp(byte[] packet) {
        byte[] b = Arrays.copyOf(packet, packet.length + TRAILER_ROOM);
        handler.onRtp(b, 0, packet.length);
    }

    void receiveRtcp(byte[] packet) {
        byte[] b = Arrays.copyOf(packet, packet.length + TRAILER_ROOM);
        handler.onRtcp(b, 0, packet.length);
    }

    /** The router's handler for what this transport receives. */
    PacketHandler handler() {
        return handler;
    }

    @Override
    public void setHandler(PacketHandler handler) {
        this.handler = handler;
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        sentRtp.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        sentRtcp.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public List<PayloadFormat> codecs() {
        return codecs;
    }

    @Override
    public long sendSsrc(MediaKind kind) {
        return kind == MediaKind.AUDIO ? ssrc : ssrc + 1;
    }

    @Override
    public RtpExtensions receivedExtensions() {
        return extensions;
    }

    @Override
    public String describe() {
        return "capture";
    }

    @Override
    public void close() {}
}
