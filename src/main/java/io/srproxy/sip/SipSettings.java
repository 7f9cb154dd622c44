package io.srproxy.sip;

import io.srproxy.config.RtxConfig;
import io.srproxy.media.rtp.RtpLatching;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the SIP agent needs, taken from rtx.conf plus a few timings the config does not expose
 * (tests shorten them).
 *
 * @param bindAddress    local address for SIP and RTP sockets (0.0.0.0 in production, 127.0.0.1 in tests)
 * @param serverHost     the SIP server (registrar and outbound proxy); null when none
 * @param keepalive      OPTIONS toward the server this often; zero = off
 * @param noAnswer       an outgoing call not answered in this time is cancelled
 * @param authRetry      after a wrong password, wait this long before trying again
 * @param t1             SIP timer T1 (RFC 3261: 500 ms); a request gets no answer after 64 * T1
 * @param requestsPerSecond requests one source (other than the SIP server) may send per second; the rest are dropped
 * @param rtpLatching    {@code [media] rtp_latching}: whether a call's media may come from another address than its SDP names
 * @param transport      message size and TCP connection limits
 * @param security       UDP/TCP/TLS toward the server, the TLS listening point, SRTP on the media
 */
public record SipSettings(
        String bindAddress, int localPort, String serverHost, int serverPort, Optional<String> publicIp,
        List<String> trusted, String account, String password, String prefix,
        Duration registerExpires, Duration keepalive, Duration noAnswer, Duration retryMin, Duration retryMax,
        Duration authRetry, Duration t1, int rtpPortMin, int rtpPortMax, List<String> codecs, int rtpTimeoutSeconds,
        int requestsPerSecond, RtpLatching rtpLatching, SipTransportLimits transport, SipSecurity security) {

    /** Over UDP with plain RTP. */
    public SipSettings(String bindAddress, int localPort, String serverHost, int serverPort, Optional<String> publicIp,
                       List<String> trusted, String account, String password, String prefix,
                       Duration registerExpires, Duration keepalive, Duration noAnswer, Duration retryMin, Duration retryMax,
                       Duration authRetry, Duration t1, int rtpPortMin, int rtpPortMax, List<String> codecs, int rtpTimeoutSeconds,
                       int requestsPerSecond, RtpLatching rtpLatching, SipTransportLimits transport) {
        this(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password, prefix, registerExpires,
                keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin, rtpPortMax, codecs, rtpTimeoutSeconds,
                requestsPerSecond, rtpLatching, transport, SipSecurity.DEFAULTS);
    }

    /** {@code [limits] sip_requests_per_second}'s default. */
    public static final int DEFAULT_REQUESTS_PER_SECOND = 100;

    /** With automatic RTP latching and the default transport limits. */
    public SipSettings(String bindAddress, int localPort, String serverHost, int serverPort, Optional<String> publicIp,
                       List<String> trusted, String account, String password, String prefix,
                       Duration registerExpires, Duration keepalive, Duration noAnswer, Duration retryMin, Duration retryMax,
                       Duration authRetry, Duration t1, int rtpPortMin, int rtpPortMax, List<String> codecs, int rtpTimeoutSeconds,
                       int requestsPerSecond) {
        this(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password, prefix, registerExpires,
                keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin, rtpPortMax, codecs, rtpTimeoutSeconds,
                requestsPerSecond, RtpLatching.AUTO, SipTransportLimits.DEFAULTS);
    }

    /** With the default per-source request rate. */
    public SipSettings(String bindAddress, int localPort, String serverHost, int serverPort, Optional<String> publicIp,
                       List<String> trusted, String account, String password, String prefix,
                       Duration registerExpires, Duration keepalive, Duration noAnswer, Duration retryMin, Duration retryMax,
                       Duration authRetry, Duration t1, int rtpPortMin, int rtpPortMax, List<String> codecs, int rtpTimeoutSeconds) {
        this(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password, prefix, registerExpires,
                keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin, rtpPortMax, codecs, rtpTimeoutSeconds,
                DEFAULT_REQUESTS_PER_SECOND, RtpLatching.AUTO, SipTransportLimits.DEFAULTS);
    }

    public static SipSettings from(RtxConfig cfg, String bindAddress) {
        RtxConfig.Global g = cfg.global();
        return new SipSettings(bindAddress, g.sipLocalPort(),
                g.sipServer().map(RtxConfig.HostPort::host).orElse(null),
                g.sipServer().map(RtxConfig.HostPort::port).orElse(5060),
                g.publicIp(), g.sipTrusted(), cfg.proxy().sipAccount(), cfg.proxy().sipPassword(),
                cfg.proxy().prefix(), Duration.ofSeconds(600), Duration.ofSeconds(g.sipKeepaliveSeconds()),
                Duration.ofSeconds(cfg.rtm2sip().ringTimeoutSeconds()),
                Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(5),
                Duration.ofMillis(500), cfg.media().rtpPortMin(), cfg.media().rtpPortMax(), cfg.media().codecs(), cfg.media().rtpTimeoutSeconds(),
                cfg.limits().sipRequestsPerSecond(), RtpLatching.valueOf(cfg.media().rtpLatching().name()),
                new SipTransportLimits(cfg.limits().sipMaxMessageSize(), cfg.limits().sipTcpConnections(),
                        cfg.limits().sipTcpConnectionsPerSource(), Duration.ofSeconds(cfg.limits().sipTcpIdleTimeout())),
                security(cfg.sipSecurity()));
    }

    private static SipSecurity security(RtxConfig.SipSecurity s) {
        return new SipSecurity(SipSecurity.Transport.valueOf(s.transport().name()),
                s.tlsCert().map(java.nio.file.Path::of).orElse(null), s.tlsKey().map(java.nio.file.Path::of).orElse(null),
                s.tlsPort(), s.tlsCa().map(java.nio.file.Path::of).orElse(null), s.tlsTrustAll(),
                SipSecurity.Srtp.valueOf(s.srtp().name()));
    }

    public SipSettings withSecurity(SipSecurity s) {
        return new SipSettings(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password,
                prefix, registerExpires, keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin,
                rtpPortMax, codecs, rtpTimeoutSeconds, requestsPerSecond, rtpLatching, transport, s);
    }

    public SipSettings withRegisterExpires(Duration expires) {
        return new SipSettings(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password,
                prefix, expires, keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin, rtpPortMax, codecs,
                rtpTimeoutSeconds, requestsPerSecond, rtpLatching, transport, security);
    }

    public SipSettings withNoAnswer(Duration timeout) {
        return new SipSettings(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password,
                prefix, registerExpires, keepalive, timeout, retryMin, retryMax, authRetry, t1, rtpPortMin, rtpPortMax,
                codecs, rtpTimeoutSeconds, requestsPerSecond, rtpLatching, transport, security);
    }

    public SipSettings withAccount(String user, String secret) {
        return new SipSettings(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, user, secret,
                prefix, registerExpires, keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin, rtpPortMax,
                codecs, rtpTimeoutSeconds, requestsPerSecond, rtpLatching, transport, security);
    }

    public SipSettings withRtpLatching(RtpLatching latching) {
        return new SipSettings(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password,
                prefix, registerExpires, keepalive, noAnswer, retryMin, retryMax, authRetry, t1, rtpPortMin,
                rtpPortMax, codecs, rtpTimeoutSeconds, requestsPerSecond, latching, transport, security);
    }

    public SipSettings withT1(Duration timerT1) {
        return new SipSettings(bindAddress, localPort, serverHost, serverPort, publicIp, trusted, account, password,
                prefix, registerExpires, keepalive, noAnswer, retryMin, retryMax, authRetry, timerT1, rtpPortMin,
                rtpPortMax, codecs, rtpTimeoutSeconds, requestsPerSecond, rtpLatching, transport, security);
    }
}
