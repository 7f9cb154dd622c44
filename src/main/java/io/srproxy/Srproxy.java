package io.srproxy;

import io.srproxy.cluster.ClusterTimings;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtm.RtmDirectory;
import java.util.Map;
import java.util.function.Supplier;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.auth.LoginTokens;
import io.srproxy.auth.PemKeyStore;
import io.srproxy.gateway.CallLog;
import io.srproxy.gateway.Gateway;
import io.srproxy.media.rtp.RtpSessions;
import io.srproxy.metrics.Metrics;
import io.srproxy.metrics.SrproxyMeters;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.ws.RtcWebModule;
import io.srproxy.rtm.ChannelLimits;
import io.srproxy.rtm.RtmService;
import io.srproxy.rtm.SystemTimers;
import io.srproxy.rtm.ws.RtmWebSocket;
import io.srproxy.sip.SipAgent;
import io.srproxy.sip.SipSettings;
import io.srproxy.web.ApiModule;
import io.srproxy.web.HealthModule;
import io.srproxy.web.OriginPolicy;
import io.srproxy.web.SdkModule;
import io.srproxy.web.WebModule;
import io.srproxy.web.WebServer;
import java.time.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Optional;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every service from the config, starts them, stops them in reverse. */
public final class Srproxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Srproxy.class);

    private final RtxConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Metrics metrics;
    private final CallLog calls = new CallLog();
    private WebServer web;
    private RtmService rtm;
    private RtcService rtc;
    private SipAgent sip;
    private Gateway gateway;
    private final ClusterTimings clusterTimings;
    private Supplier<Map<String, Object>> clusterView = () -> Map.of("enabled", false);

    private Srproxy(RtxConfig config, ClusterTimings clusterTimings) {
        this.metrics = new Metrics(config.cluster().on() ? Map.of("node", config.cluster().nodeId()) : Map.of());
        this.config = config;
        this.clusterTimings = clusterTimings;
    }

    public static Srproxy start(RtxConfig config) {
        return start(config, ClusterTimings.DEFAULTS);
    }

    /** With other heartbeat timings for {@code [cluster]} (tests shorten them). */
    public static Srproxy start(RtxConfig config, ClusterTimings clusterTimings) {
        Srproxy s = new Srproxy(config, clusterTimings);
        try {
            s.startAll();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startAll() {
        started.add(metrics);
        List<WebModule> modules = new ArrayList<>();
        HealthModule health = new HealthModule();
        modules.add(health);
        modules.add(metrics.webModule());

        SystemTimers rtmTimers = new SystemTimers();
        started.add(rtmTimers);
        RtmDirectory directory = RtmDirectory.single();
        ClusterWiring.Parts clusterParts = null;
        if (config.cluster().on()) { // only then is any Redis class loaded
            ClusterWiring.Parts parts = ClusterWiring.start(config, clusterTimings,
                    () -> rtm == null ? 0 : rtm.onlineCount());
            started.add(parts.link());
            clusterParts = parts;
            directory = parts.directory();
            health.register(parts.health());
            clusterView = parts.view();
        }
        rtm = RtmService.create(config.global().appId(), config.reservedUids(), loginTokens(),
                new ChannelLimits(config.limits().rtmChannelMembers(), config.limits().rtmChannelsPerUser()), rtmTimers,
                directory);
        started.add(rtm);
        RtmWebSocket rtmSocket = new RtmWebSocket(rtm, new RtmWebSocket.Limits(config.limits().maxConnections(),
                config.limits().maxRequestsPerSecond()));
        modules.add(rtmSocket);
        health.register(() -> new HealthModule.Check("rtm", rtm.isRunning(),
                rtm.onlineCount() + " users online, " + rtmSocket.openConnections() + " websockets"));

        rtc = RtcService.start(config);
        started.add(rtc);
        if (clusterParts != null) { // RTC channels live on one node each; a join elsewhere is redirected there
            clusterParts.rtc().place(rtc.channels(), config.rtm().tls() ? "wss" : "ws", () -> calls.active().size());
        }
        RtcWebModule rtcWeb = new RtcWebModule(rtc, config.global().appId(),
                LoginPolicy.of(config.global().appId(), config.reservedUids(), loginTokens()),
                new RtcWebModule.Limits(config.limits().rtcMaxConnections(), config.limits().rtcJoinsPerSecond()),
                System::nanoTime);
        started.add(rtcWeb);
        modules.add(rtcWeb);
        health.register(() -> new HealthModule.Check("rtc", true, "udp port " + rtc.port()
                + ", " + rtc.mux().sessions() + " WebRTC sessions, " + rtc.channels().size() + " channels, "
                + rtc.mux().counters().snapshot()));
        if (config.proxy().on() || config.rtm2sip().on()) {
            RtpSessions rtpSessions = rtpSessions(); // the SIP legs' media: closed after the agent
            started.add(rtpSessions);
            sip = SipAgent.start(config, config.global().sipLocalIp(), rtpSessions);
            started.add(sip);
            gateway = Gateway.start(config, rtm, sip, rtc.channels(), calls, clusterParts != null
                    ? clusterParts.gateway().get() : io.srproxy.gateway.GatewayCluster.LOCAL); // closed first, see close()
            Gateway g = gateway;
            health.register(() -> new HealthModule.Check("sip", g.registered(), g.registrationSummary()));
        }
        SrproxyMeters.register(metrics.registry(), rtm, rtc, calls, Optional.ofNullable(sip));
        SrproxyMeters.registerRefusals(metrics.registry(), rtmSocket, Optional.ofNullable(gateway));
        SrproxyMeters.registerRtcRefusals(metrics.registry(), rtcWeb);
        metrics.startHistory();
        modules.add(new ApiModule(config, new GatewayAdminView(calls, Optional.ofNullable(gateway), clusterView)));
        modules.add(new SdkModule());
        modules.add(new OriginPolicy(config.rtm().allowedOrigins()));
        web = new WebServer(config.rtm().ip(), config.rtm().port(), tlsKeyStore(), modules).start();
        started.add(web);
        if (clusterParts != null) {
            clusterParts.rtc().boundPort(web.port());
        }
        log.info("srproxy up: signalling and web client on {}://{}:{}/", config.rtm().tls() ? "https" : "http",
                config.rtm().ip().contains(":") ? "[" + config.rtm().ip() + "]" : config.rtm().ip(), web.port());
    }

    /** The SIP legs' RTP: {@code [media]}'s port range and I/O loops, bound where the SIP agent is. */
    private RtpSessions rtpSessions() {
        SipSettings settings = SipSettings.from(config, config.global().sipLocalIp());
        try {
            return new RtpSessions(InetAddress.getByName(settings.bindAddress()), settings.rtpPortMin(), settings.rtpPortMax(),
                    "rtp-io", config.media().ioThreads());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("sip_local_ip " + settings.bindAddress() + ": " + e.getMessage(), e);
        }
    }

    /** Login tokens are required from apps when [global] app_cert is set. */
    private Optional<LoginTokens> loginTokens() {
        return config.global().appCert().map(cert -> new LoginTokens(config.global().appId(), cert, Clock.systemUTC()));
    }

    private Optional<KeyStore> tlsKeyStore() {
        if (!config.rtm().tls()) {
            return Optional.empty();
        }
        Path cert = Path.of(config.rtm().tlsCert().orElseThrow());
        Path key = Path.of(config.rtm().tlsKey().orElseThrow());
        try {
            return Optional.of(PemKeyStore.load(cert, key));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("[rtm] tls_cert/tls_key: cannot load " + cert + " / " + key + ": " + e.getMessage(), e);
        }
    }

    /** Where components register their meters; scraped at /metrics. */
    public Metrics metrics() {
        return metrics;
    }

    /** Active and recent bridged calls, shown at /api/calls. */
    public CallLog calls() {
        return calls;
    }

    public RtxConfig config() {
        return config;
    }

    /** The RTM service: the gateway gets its in-process clients here ({@link RtmService#createClient}). */
    public RtmService rtm() {
        return rtm;
    }

    /** The RTC media service: its channel registry takes plain-RTP members for SIP legs. */
    public RtcService rtc() {
        return rtc;
    }

    /** The SIP agent, when a SIP direction is on. */
    public Optional<SipAgent> sip() {
        return Optional.ofNullable(sip);
    }

    /** The bound HTTP/WebSocket port. */
    public int webPort() {
        return web.port();
    }

    /**
     * Stops everything: first the gateway hangs up its calls (BYE to phones, EndCall to apps,
     * while the apps' connections are still open), then apps are told the session ended and their
     * sockets close with 1001, then the rest stops in reverse order of start, the SIP agent
     * removing its registrations (Expires 0) on the way.
     */
    @Override
    public void close() {
        if (gateway != null) {
            try {
                gateway.close();
            } catch (RuntimeException e) {
                log.warn("error while stopping the gateway: {}", e.toString());
            }
            gateway = null;
        }
        if (rtm != null) {
            try {
                rtm.disconnectAll("srproxy is shutting down").get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("could not tell every app that srproxy is stopping: {}", e.toString());
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}
