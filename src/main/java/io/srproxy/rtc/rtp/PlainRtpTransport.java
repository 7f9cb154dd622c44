package io.srproxy.rtc.rtp;

import io.srproxy.rtc.Codec;
import io.srproxy.rtc.MediaKind;
import io.srproxy.rtc.MediaTransport;
import io.srproxy.rtc.PacketHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain RTP member's transport (a SIP leg): its own UDP socket (local address goes into our SDP),
 * the remote address from the peer's SDP (or, until then, where its RTP comes from), raw RTP out,
 * and one reader thread handing RTP/RTCP (RTCP muxed on the same port) to the handler. Minimal on
 * purpose, so it can move onto the SIP side's RtpSession later.
 */
public final class PlainRtpTransport implements MediaTransport {

    private static final Logger log = LoggerFactory.getLogger(PlainRtpTransport.class);

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final List<Codec> codecs;
    private final long audioSsrc = new SecureRandom().nextInt() & 0xFFFFFFFFL;
    private final Thread reader;
    private static final ThreadLocal<ByteBuffer> SEND_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(2048));
    private final LongAdder received = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile InetSocketAddress remote;
    private volatile PacketHandler handler = PacketHandler.NONE;
    private volatile boolean closed;

    /** Binds {@code bind} (port 0 = any) for the given codecs, preferred first. */
    public PlainRtpTransport(InetSocketAddress bind, List<Codec> codecs) {
        this.codecs = List.copyOf(codecs);
        try {
            channel = DatagramChannel.open().bind(bind);
            local = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind plain RTP socket " + bind + ": " + e.getMessage(), e);
        }
        reader = new Thread(this::readLoop, "rtp-" + local.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** The address to put in our SDP. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The peer's RTP address from its SDP. */
    public void setRemote(InetSocketAddress remote) {
        this.remote = remote;
    }

    public long received() {
        return received.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    private void readLoop() {
        byte[] buf = new byte[2048 + TRAILER_ROOM];
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, 2048);
        while (!closed) {
            try {
                bb.clear().limit(2048);
                SocketAddress from = channel.receive(bb);
                if (from == null) {
                    continue;
                }
                int len = bb.position();
                if (remote == null) {
                    remote = (InetSocketAddress) from; // symmetric RTP until the SDP names the address
                }
                if (RtpHeader.isRtcp(buf, 0, len)) {
                    received.increment();
                    handler.onRtcp(buf, 0, len);
                } else if (RtpHeader.isRtp(buf, 0, len)) {
                    received.increment();
                    handler.onRtp(buf, 0, len);
                } else {
                    dropped.increment();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.debug("plain RTP {}: {}", local, e.toString());
                }
            }
        }
    }

    @Override
    public void setHandler(PacketHandler handler) {
        this.handler = handler == null ? PacketHandler.NONE : handler;
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        InetSocketAddress to = remote;
        if (to == null || closed || len > 2048) {
            return;
        }
        ByteBuffer sendBuffer = SEND_BUFFER.get();
        sendBuffer.clear();
        sendBuffer.put(buf, off, len).flip();
        try {
            channel.send(sendBuffer, to);
        } catch (IOException e) {
            log.debug("plain RTP send to {} failed: {}", to, e.toString());
        }
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        sendRtp(buf, off, len);
    }

    @Override
    public List<Codec> codecs() {
        return codecs;
    }

    @Override
    public long sendSsrc(MediaKind kind) {
        return audioSsrc;
    }

    @Override
    public String describe() {
        return "rtp " + local + (remote == null ? "" : " <-> " + remote);
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
