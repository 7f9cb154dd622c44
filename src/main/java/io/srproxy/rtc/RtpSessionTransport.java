package io.srproxy.rtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpSession;
import java.security.SecureRandom;
import java.util.List;

/**
 * A plain-RTP member of a channel (a SIP leg): its media goes in and out through an
 * {@link RtpSession}, which keeps doing its own RTCP reports, latching and no-media watch. The
 * session belongs to whoever opened it (the SIP call); closing this only detaches it.
 */
public final class RtpSessionTransport implements MediaTransport {

    private final RtpSession session;
    private final long ssrc = new SecureRandom().nextInt() & 0xFFFFFFFFL;
    private volatile List<PayloadFormat> codecs;

    public RtpSessionTransport(RtpSession session, List<PayloadFormat> codecs) {
        this.session = session;
        this.codecs = List.copyOf(codecs);
    }

    /** After a re-INVITE: the payload types or the codec may change. */
    public void setCodecs(List<PayloadFormat> codecs) {
        this.codecs = List.copyOf(codecs);
    }

    public RtpSession session() {
        return session;
    }

    @Override
    public void setHandler(PacketHandler handler) {
        session.setPacketHandler(handler == null ? null : handler::onRtp);
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        session.sendRtp(buf, off, len);
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        // the session sends its own RTCP reports toward the SIP side
    }

    @Override
    public List<PayloadFormat> codecs() {
        return codecs;
    }

    @Override
    public long sendSsrc(MediaKind kind) {
        return ssrc;
    }

    @Override
    public boolean takesHeaderExtensions() {
        return false; // the SDP with the phone negotiates none
    }

    @Override
    public boolean plainRtp() {
        return true;
    }

    @Override
    public String describe() {
        return "rtp " + session.localRtpAddress() + " <-> " + session.remoteRtpAddress();
    }

    @Override
    public void close() {
        session.setPacketHandler(null);
    }
}
