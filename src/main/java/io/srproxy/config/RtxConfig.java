package io.srproxy.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The effective configuration: every rtx.conf key, typed, with its default applied. Built by
 * {@link RtxConfigBinder}; immutable. See the README's config reference for each key.
 */
public record RtxConfig(
        String source,
        Global global,
        Rtc rtc,
        Rtm rtm,
        Rtm2Sip rtm2sip,
        Pstn pstn,
        Proxy proxy,
        Media media,
        Limits limits,
        Log log,
        Cluster cluster,
        SipSecurity sipSecurity,
        Conference conference) {

    /** As before conferences: {@code [conference]} absent (off). */
    public RtxConfig(String source, Global global, Rtc rtc, Rtm rtm, Rtm2Sip rtm2sip, Pstn pstn, Proxy proxy,
                     Media media, Limits limits, Log log, Cluster cluster, SipSecurity sipSecurity) {
        this(source, global, rtc, rtm, rtm2sip, pstn, proxy, media, limits, log, cluster, sipSecurity, Conference.OFF);
    }

    /** SIP over UDP with plain RTP (the SIP security keys at their defaults), with {@code [conference]}. */
    public RtxConfig(String source, Global global, Rtc rtc, Rtm rtm, Rtm2Sip rtm2sip, Pstn pstn, Proxy proxy,
                     Media media, Limits limits, Log log, Cluster cluster, Conference conference) {
        this(source, global, rtc, rtm, rtm2sip, pstn, proxy, media, limits, log, cluster, SipSecurity.DEFAULTS, conference);
    }

    /** As before clustering: one node ({@code [cluster]} absent). */
    public RtxConfig(String source, Global global, Rtc rtc, Rtm rtm, Rtm2Sip rtm2sip, Pstn pstn, Proxy proxy,
                     Media media, Limits limits, Log log) {
        this(source, global, rtc, rtm, rtm2sip, pstn, proxy, media, limits, log, Cluster.NONE);
    }

    /** SIP over UDP with plain RTP (the SIP security keys at their defaults). */
    public RtxConfig(String source, Global global, Rtc rtc, Rtm rtm, Rtm2Sip rtm2sip, Pstn pstn, Proxy proxy,
                     Media media, Limits limits, Log log, Cluster cluster) {
        this(source, global, rtc, rtm, rtm2sip, pstn, proxy, media, limits, log, cluster, SipSecurity.DEFAULTS);
    }

    /** A copy with another {@code [cluster]} section (tests start several nodes from one config). */
    public RtxConfig withCluster(Cluster c) {
        return new RtxConfig(source, global, rtc, rtm, rtm2sip, pstn, proxy, media, limits, log, c, sipSecurity, conference);
    }

    /**
     * How the SIP leg travels and is protected: {@code [global] sip_transport} toward {@code sip_svr},
     * the TLS listening point's PEM certificate and key ({@code sip_tls_cert}, {@code sip_tls_key}),
     * its port ({@code sip_tls_port}, 0 = {@code sip_local_port} + 1), how the server's certificate is
     * checked ({@code sip_tls_ca}: PEM bundle, empty = the JDK's trust store; {@code sip_tls_trust_all}),
     * and {@code [media] sip_srtp}. README's config table says what each does.
     */
    public record SipSecurity(SipTransport transport, Optional<String> tlsCert, Optional<String> tlsKey, int tlsPort,
                              Optional<String> tlsCa, boolean tlsTrustAll, SipSrtp srtp) {
        public static final SipSecurity DEFAULTS = new SipSecurity(SipTransport.UDP, Optional.empty(), Optional.empty(),
                0, Optional.empty(), false, SipSrtp.OFF);

        /** Whether a TLS listening point is configured. */
        public boolean tls() {
            return tlsCert.isPresent();
        }
    }

    /** {@code [global] sip_transport}. */
    public enum SipTransport { UDP, TCP, TLS }

    /** {@code [media] sip_srtp}. */
    public enum SipSrtp { OFF, OFFER, REQUIRE, DTLS }

    /** {@code host[:port]}; port 5060 when absent. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /**
     * @param sipServer      the SIP server, empty when not set
     * @param sipLocalIp     address the SIP agent and its RTP sockets bind to
     * @param publicIp       address put in Contact, Via and SDP when set (NATed/public deployments)
     * @param appCert        secret for login tokens; empty = tokens not required
     * @param sipTrusted     extra addresses (besides the SIP server's) allowed to send SIP requests
     * @param sipKeepaliveSeconds OPTIONS toward the SIP server this often, seconds; 0 = off
     */
    public record Global(String appId, Optional<HostPort> sipServer, String sipLocalIp, int sipLocalPort,
                         Optional<String> publicIp, Optional<String> appCert, List<String> sipTrusted,
                         int sipKeepaliveSeconds) {}

    /**
     * Media service for apps: advertised address (empty = auto-detect), its single UDP port, and
     * the most members one RTC channel holds.
     */
    public record Rtc(Optional<String> ip, int port, int maxMembers) {
        public static final int DEFAULT_MAX_MEMBERS = 17;

        public Rtc(Optional<String> ip, int port) {
            this(ip, port, DEFAULT_MAX_MEMBERS);
        }
    }

    /**
     * Signalling service for apps: HTTP/WebSocket bind address and port; with a PEM certificate
     * and key it serves HTTPS/WSS instead (browsers need a secure context beyond localhost).
     */
    public record Rtm(String ip, int port, Optional<String> tlsCert, Optional<String> tlsKey, List<String> allowedOrigins) {
        /** {@code [rtm] allowed_origins} when unset: pages of any origin may load the SDKs and open the sockets. */
        public static final List<String> ANY_ORIGIN = List.of("*");

        public Rtm {
            allowedOrigins = List.copyOf(allowedOrigins);
        }

        /** Plain HTTP/WebSocket. */
        public Rtm(String ip, int port) {
            this(ip, port, Optional.empty(), Optional.empty());
        }

        /** Any origin allowed. */
        public Rtm(String ip, int port, Optional<String> tlsCert, Optional<String> tlsKey) {
            this(ip, port, tlsCert, tlsKey, ANY_ORIGIN);
        }

        public boolean tls() {
            return tlsCert.isPresent();
        }
    }

    /**
     * App -> SIP: the SIP extensions apps may call, each shown as an online RTM user.
     *
     * @param ringTimeoutSeconds an outgoing SIP call not answered in this time is cancelled (408),
     *                           a little before the RTM invitation would expire (60 s)
     */
    public record Rtm2Sip(boolean on, String accRule, List<String> accounts, int ringTimeoutSeconds) {}

    /**
     * What protects the process: open RTM WebSockets, requests per second on one socket, bridged
     * calls at once, SIP requests per second from one source address other than the SIP server
     * (the excess is dropped), open /rtc WebSockets, /rtc joins per second from one source address,
     * and SIP's transports: the largest SIP message, TCP connections in all and from one source
     * address, seconds before an idle SIP TCP connection is closed; members of one RTM channel and
     * RTM channels one session may be in. Each refusal is counted.
     */
    public record Limits(int maxConnections, int maxRequestsPerSecond, int maxCalls, int sipRequestsPerSecond,
                         int rtcMaxConnections, int rtcJoinsPerSecond, int sipMaxMessageSize, int sipTcpConnections,
                         int sipTcpConnectionsPerSource, int sipTcpIdleTimeout, int rtmChannelMembers,
                         int rtmChannelsPerUser) {}

    /**
     * Phones dialling in: a SIP call to {@code <prefix><room>} (through the proxy extension) joins
     * RTC channel {@code room} through the conference mixer, after the PIN (RFC 4733 digits and
     * {@code #}) when one is set.
     */
    public record Conference(boolean on, String prefix, Optional<String> pin) {
        public static final Conference OFF = new Conference(false, "8", Optional.empty());
    }

    /** PSTN routing: calls with {@code Pstn} go to {@code <prefix><number>@<ip or sip_svr>}. */
    public record Pstn(Optional<String> ip, String prefix) {}

    /** SIP -> app: the extension srproxy registers and the RTM uid it logs in with. */
    public record Proxy(boolean on, String sipAccount, String sipPassword, String rtmAccount, String prefix) {}

    /**
     * SIP-side media.
     *
     * @param codecs            SDP answer preference, e.g. [opus, PCMU, PCMA, G722]
     * @param rtpTimeoutSeconds no RTP for this long raises a no-media event
     * @param rtpLatching       whether a call's media may come from another address than its SDP names
     * @param passthrough       whether an app joining a SIP leg's channel takes the leg's G.711/G.722
     * @param ioThreads         RTP I/O loops and transcoding workers (at least 1)
     * @param opusComplexity    libopus encoder complexity 0..10 for transcoded audio
     * @param opusBitrate       libopus encoder bitrate in bit/s; 0 = libopus chooses
     */
    public record Media(int rtpPortMin, int rtpPortMax, List<String> codecs, int rtpTimeoutSeconds,
                        RtpLatching rtpLatching, Passthrough passthrough, int ioThreads, int opusComplexity,
                        int opusBitrate) {

        /** With the defaults of the later keys: passthrough preferred, one I/O loop per core, complexity 5. */
        public Media(int rtpPortMin, int rtpPortMax, List<String> codecs, int rtpTimeoutSeconds, RtpLatching rtpLatching) {
            this(rtpPortMin, rtpPortMax, codecs, rtpTimeoutSeconds, rtpLatching, Passthrough.PREFER,
                    Runtime.getRuntime().availableProcessors(), 5, 0);
        }
    }

    /** {@code [media] passthrough}; README's config table says what each does. */
    public enum Passthrough { PREFER, NEVER }

    /** {@code [media] rtp_latching}; README's config table says what each does. */
    public enum RtpLatching { AUTO, ON, OFF }

    /**
     * Several nodes as one service: the Redis they share ({@code redis://[:password@]host[:port][/db]},
     * {@code rediss://} for TLS; empty = one node, no Redis), this node's name, unique in the
     * cluster, and the {@code host:port} where apps and operators reach its {@code [rtm]} port.
     */
    public record Cluster(Optional<String> redis, String nodeId, String advertise) {
        public static final Cluster NONE = new Cluster(Optional.empty(), "", "");

        public boolean on() {
            return redis.isPresent();
        }

        /** The Redis URI with any password replaced by {@code ****}, for logs and {@code check}. */
        public static String redacted(String uri) {
            int scheme = uri.indexOf("://");
            int at = uri.lastIndexOf('@');
            if (scheme < 0 || at < scheme) {
                return uri;
            }
            String user = uri.substring(scheme + 3, at);
            int colon = user.indexOf(':');
            String shown = colon < 0 ? "****" : user.substring(0, colon) + ":****";
            return uri.substring(0, scheme + 3) + shown + uri.substring(at);
        }
    }

    /** Logging: level 0 SENSITIVE .. 5 NONE; file empty = console only; size in MB. */
    public record Log(int level, Optional<String> file, int maxFileSizeMb) {}

    /** Every RTM uid the gateway itself logs in with; apps may not use these. */
    public Set<String> reservedUids() {
        java.util.LinkedHashSet<String> uids = new java.util.LinkedHashSet<>();
        if (rtm2sip.on()) {
            uids.addAll(rtm2sip.accounts());
        }
        if (proxy.on()) {
            uids.add(proxy.rtmAccount());
        }
        return uids;
    }

    /** A configuration with every default, for tests and the embedded defaults. */
    public static RtxConfig defaults() {
        return RtxConfigBinder.bind(RtxFile.parse("", "<defaults>")).config();
    }
}
