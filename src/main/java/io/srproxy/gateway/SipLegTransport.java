package io.srproxy.gateway;

import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.RtpSessionTransport;
import io.srproxy.sip.NegotiatedMedia;
import io.srproxy.sip.SipCall;
import java.util.ArrayList;
import java.util.List;

/** The channel member of a SIP call: its RTP session with the codecs the SIP side negotiated. */
final class SipLegTransport {

    private SipLegTransport() {}

    static RtpSessionTransport of(SipCall call, NegotiatedMedia media) {
        return new RtpSessionTransport(call.rtp(), codecs(media));
    }

    /**
     * The SIP side's audio codec, and its telephone-event format when one was negotiated, with the
     * fmtp a channel member's formats carry (the SIP SDP parse keeps none).
     */
    static List<PayloadFormat> codecs(NegotiatedMedia media) {
        List<PayloadFormat> list = new ArrayList<>();
        list.add(forChannel(media.audio()));
        if (media.telephoneEvent() != null) {
            list.add(forChannel(media.telephoneEvent()));
        }
        return list;
    }

    static PayloadFormat forChannel(PayloadFormat c) {
        return c.withFmtp(c.isOpus() ? "minptime=10;useinbandfec=1" : c.isTelephoneEvent() ? "0-16" : "");
    }
}
