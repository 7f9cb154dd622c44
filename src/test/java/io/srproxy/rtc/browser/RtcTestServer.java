package io.srproxy.rtc.browser;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfig;
import java.util.Optional;

/** srproxy on loopback with free ports: the web/signalling port and the RTC UDP port both 0. */
final class RtcTestServer {

    private RtcTestServer() {}

    static RtxConfig loopbackConfig() {
        RtxConfig d = RtxConfig.defaults();
        return new RtxConfig(d.source(), d.global(), new RtxConfig.Rtc(Optional.of("127.0.0.1"), 0),
                new RtxConfig.Rtm("127.0.0.1", 0), d.rtm2sip(), d.pstn(), d.proxy(), d.media(), d.limits(), d.log());
    }

    static Srproxy start() {
        return Srproxy.start(loopbackConfig());
    }

    /** With {@code [media] passthrough} set. */
    static Srproxy start(RtxConfig.Passthrough passthrough) {
        RtxConfig c = loopbackConfig();
        RtxConfig.Media m = c.media();
        return Srproxy.start(new RtxConfig(c.source(), c.global(), c.rtc(), c.rtm(), c.rtm2sip(), c.pstn(), c.proxy(),
                new RtxConfig.Media(m.rtpPortMin(), m.rtpPortMax(), m.codecs(), m.rtpTimeoutSeconds(), m.rtpLatching(),
                        passthrough, m.ioThreads(), m.opusComplexity(), m.opusBitrate()), c.limits(), c.log()));
    }
}
