package io.srproxy.gateway;

import io.srproxy.rtc.Codec;
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

    /** The SIP side's audio codec, and its telephone-event format when one was negotiated. */
    static List<Codec> codecs(NegotiatedMedia media) {
        List<Codec> list = new ArrayList<>();
        list.add(toRtc(media.audio()));
        if (media.telephoneEvent() != null) {
            list.add(toRtc(media.telephoneEvent()));
        }
        return list;
    }

    static Codec toRtc(io.srproxy.sip.Codec c) {
        String fmtp = c.name().equalsIgnoreCase("opus") ? "minptime=10;useinbandfec=1"
                : c.isTelephoneEvent() ? "0-16" : "";
        return new Codec(c.name(), c.payloadType(), c.clockRate(), c.channels(), fmtp);
    }
}
