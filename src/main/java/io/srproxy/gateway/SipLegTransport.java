package io.srproxy.gateway;

import io.srproxy.rtc.Codec;
import io.srproxy.rtc.MediaKind;
import io.srproxy.rtc.MediaTransport;
import io.srproxy.rtc.PacketHandler;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.SipCall;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A SIP leg as a member of an RTC channel: the call's RTP session carries the channel's audio,
 * with the codec (and telephone-event format) the SIP side negotiated. The SIP call owns the RTP
 * session; closing this only detaches it from the channel.
 */
final class SipLegTransport implements MediaTransport {

    private final SipCall call;
    private final long ssrc = new SecureRandom().nextInt() & 0xFFFFFFFFL;
    private volatile List<Codec> codecs;

    SipLegTransport(SipCall call, NegotiatedMedia media) {
        this.call = call;
        update(media);
    }

    /** After a re-INVITE: the codec may stay, the payload types or address may change. */
    void update(NegotiatedMedia media) {
        List<Codec> list = new ArrayList<>();
        list.add(toRtc(media.audio()));
        if (media.telephoneEvent() != null) {
            list.add(toRtc(media.telephoneEvent()));
        }
        codecs = List.copyOf(list);
    }

    static Codec toRtc(io.srproxy.sip.Codec c) {
        String fmtp = c.name().equalsIgnoreCase("opus") ? "minptime=10;useinbandfec=1"
                : c.isTelephoneEvent() ? "0-16" : "";
        return new Codec(c.name(), c.payloadType(), c.clockRate(), c.channels(), fmtp);
    }

    @Override
    public void setHandler(PacketHandler handler) {
        call.rtp().setPacketHandler(handler == null ? null : handler::onRtp);
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        call.rtp().sendRtp(buf, off, len);
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        // The RTP session sends its own RTCP reports toward the SIP side.
    }

    @Override
    public List<Codec> codecs() {
        return codecs;
    }

    @Override
    public long sendSsrc(MediaKind kind) {
        return ssrc;
    }

    @Override
    public String describe() {
        return "sip " + call.callId() + " rtp " + call.rtp().localRtpAddress() + " <-> " + call.rtp().remoteRtpAddress();
    }

    @Override
    public void close() {
        call.rtp().setPacketHandler(null);
    }
}
