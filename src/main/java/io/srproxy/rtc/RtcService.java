package io.srproxy.rtc;

import io.srproxy.config.RtxConfig;
import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpSession;
import io.srproxy.rtc.webrtc.UdpMux;
import io.srproxy.rtc.webrtc.WebRtcEndpoint;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTC media service: the shared WebRTC UDP port ([rtc] port), the channel registry, and
 * plain-RTP members for the gateway's SIP legs.
 */
public final class RtcService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtcService.class);

    /** RFC 7675: a peer without consent for 30 s is gone. */
    public static final Duration CONSENT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param bindIp       where the UDP port listens
     * @param advertisedIp the address put in answers' candidates, or two separated by a comma (one
     *                     IPv4, one IPv6: each answer lists both, the client's family first)
     * @param fromSignalling no address configured: each answer advertises the local address of the
     *                       client's signalling connection (what it demonstrably reached), and
     *                       {@code advertisedIp} only when that is unknown
     * @param clock        nanosecond clock for consent (a test moves it)
     * @param sweep        run the consent sweep once a second (tests call {@link #sweep()} instead)
     * @param maxMembers   the most members one channel holds ([rtc] max_members)
     */
    public record Options(String bindIp, String advertisedIp, boolean fromSignalling, int port, int ioThreads,
                          LongSupplier clock, Duration dtlsTimeout, boolean sweep, int maxMembers) {

        public Options(String bindIp, String advertisedIp, boolean fromSignalling, int port, int ioThreads,
                       LongSupplier clock, Duration dtlsTimeout, boolean sweep) {
            this(bindIp, advertisedIp, fromSignalling, port, ioThreads, clock, dtlsTimeout, sweep,
                    RtxConfig.Rtc.DEFAULT_MAX_MEMBERS);
        }

        public Options(String bindIp, String advertisedIp, int port, int ioThreads, LongSupplier clock,
                       Duration dtlsTimeout, boolean sweep) {
            this(bindIp, advertisedIp, false, port, ioThreads, clock, dtlsTimeout, sweep);
        }

        public Options withMaxMembers(int n) {
            return new Options(bindIp, advertisedIp, fromSignalling, port, ioThreads, clock, dtlsTimeout, sweep, n);
        }

        public static Options from(RtxConfig config) {
            // [rtc] ip, else [global] public_ip (NATed hosts), else this host's first address
            java.util.Optional<String> configured = config.rtc().ip().or(() -> config.global().publicIp());
            String advertised = configured.orElseGet(RtcService::detectAddress);
            String bind = isLoopback(advertised) ? advertised : "0.0.0.0";
            int threads = Math.max(1, config.media().ioThreads()); // [media] io_threads: one per core by default
            return new Options(bind, advertised, configured.isEmpty(), config.rtc().port(), threads, System::nanoTime,
                    Duration.ofSeconds(15), true, config.rtc().maxMembers());
        }
    }

    private final Options options;
    private final PassthroughPolicy passthrough;
    private final TranscodeWorkers workers;
    private final ChannelRegistry registry;
    private final UdpMux mux;
    private final WebRtcEndpoint webrtc;
    private final ScheduledExecutorService sweeper;

    /** With G.711 and G.722 passthrough, one transcoding worker per core and the default Opus encoder settings. */
    public RtcService(Options options) {
        this(options, PassthroughPolicy.PREFER, TranscodeWorkers.start(0, 5, TranscodeWorkers.AUTO_BITRATE));
    }

    public RtcService(Options options, PassthroughPolicy passthrough) {
        this(options, passthrough, TranscodeWorkers.start(0, 5, TranscodeWorkers.AUTO_BITRATE));
    }

    /** @param workers where transcoding runs; closed with this service */
    public RtcService(Options options, PassthroughPolicy passthrough, TranscodeWorkers workers) {
        this.options = options;
        this.passthrough = passthrough;
        this.workers = workers;
        this.registry = new ChannelRegistry(workers, options.maxMembers());
        this.mux = new UdpMux(new InetSocketAddress(options.bindIp(), options.port()), options.ioThreads(), options.clock());
        this.webrtc = new WebRtcEndpoint(mux, options.advertisedIp(), (int) options.dtlsTimeout().toMillis());
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rtc-consent");
            t.setDaemon(true);
            return t;
        });
        if (options.sweep()) {
            sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        }
        log.info("RTC service: media on udp {}:{}, advertised as {}", options.bindIp(), mux.port(),
                options.fromSignalling() ? "the address each client reached srproxy at (else " + options.advertisedIp() + ")"
                        : options.advertisedIp());
    }

    /** The service's one timer thread (consent sweep, volume indicators): tasks on it must be short. */
    public ScheduledExecutorService timer() {
        return sweeper;
    }

    public static RtcService start(RtxConfig config) {
        RtxConfig.Media m = config.media();
        return new RtcService(Options.from(config), PassthroughPolicy.of(
                m.passthrough() == io.srproxy.config.RtxConfig.Passthrough.PREFER, m.codecs()),
                TranscodeWorkers.start(m.ioThreads(), m.opusComplexity(), m.opusBitrate()));
    }

    /**
     * The audio formats an app joining {@code channelId} now should answer with instead of Opus:
     * what the members already there send (a SIP leg's G.711 or G.722), when the policy lets it
     * pass through; empty = Opus. Read once at join: a member that joins later is transcoded to.
     */
    public List<PayloadFormat> audioToMatch(String channelId) {
        return audioToMatch(channelId, null);
    }

    /** As above, leaving out {@code exceptUid}'s own audio (a member asking what to switch to). */
    public List<PayloadFormat> audioToMatch(String channelId, String exceptUid) {
        if (passthrough.formats().isEmpty()) {
            return List.of();
        }
        Channel c = registry.channel(channelId).orElse(null);
        if (c == null) {
            return List.of();
        }
        List<PayloadFormat> out = new ArrayList<>();
        for (String uid : c.uids()) {
            if (uid.equals(exceptUid)) {
                continue;
            }
            c.member(uid).flatMap(m -> m.transport().preferred(MediaKind.AUDIO))
                    .filter(passthrough::allows).ifPresent(out::add);
        }
        return out;
    }

    public ChannelRegistry channels() {
        return registry;
    }

    public WebRtcEndpoint webrtc() {
        return webrtc;
    }

    public UdpMux mux() {
        return mux;
    }

    /** The bound WebRTC UDP port. */
    public int port() {
        return mux.port();
    }

    /**
     * The addresses to put in the answer for a client whose signalling arrived on
     * {@code signallingLocal} (the server side of its connection; null when unknown): that very
     * address when none is configured; else the configured ones, the client's address family first.
     */
    public List<String> candidatesFor(InetAddress signallingLocal) {
        if (options.fromSignalling() && signallingLocal != null && !signallingLocal.isAnyLocalAddress()) {
            return List.of(literal(signallingLocal));
        }
        List<String> configured = new ArrayList<>(AdvertisedAddresses.parse(options.advertisedIp()));
        if (signallingLocal != null) {
            boolean v6 = signallingLocal instanceof Inet6Address;
            configured.sort(Comparator.comparing(a -> (a.indexOf(':') >= 0) != v6)); // same family first
        }
        return configured;
    }

    /** An address as SDP writes it: without a zone index ("%lo"), which SDP has no room for. */
    static String literal(InetAddress a) {
        String text = a.getHostAddress();
        int zone = text.indexOf('%');
        return zone < 0 ? text : text.substring(0, zone);
    }

    public String advertisedIp() {
        return options.advertisedIp();
    }

    /** Ends WebRTC sessions that lost consent; their members leave with reason "timeout". */
    public void sweep() {
        try {
            mux.sweep(CONSENT_TIMEOUT.toNanos());
        } catch (RuntimeException e) {
            log.warn("consent sweep failed: {}", e.toString());
        }
    }

    /**
     * Adds a plain-RTP member (a SIP leg) to a channel: its media goes through {@code session}
     * (opened and owned by the caller) with {@code codecs}; it publishes audio at once. Throws
     * {@link RtcException} when the channel refuses it. Closing the member leaves the channel.
     */
    public PlainRtpMember addPlainRtpMember(String channel, String uid, RtpSession session, List<PayloadFormat> codecs,
                                            java.util.function.Consumer<RtcEvent> events) {
        RtpSessionTransport t = new RtpSessionTransport(session, codecs);
        try {
            registry.join(channel, uid, t, events);
            // a SIP leg sends audio from the start: the other member hears of it as published
            registry.channel(channel).ifPresent(c -> c.publish(uid, MediaKind.AUDIO, true));
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return new PlainRtpMember(channel, uid, t);
    }

    /** A plain-RTP member and how to remove it. */
    public final class PlainRtpMember implements AutoCloseable {
        private final String channel;
        private final String uid;
        private final RtpSessionTransport transport;

        private PlainRtpMember(String channel, String uid, RtpSessionTransport transport) {
            this.channel = channel;
            this.uid = uid;
            this.transport = transport;
        }

        public RtpSessionTransport transport() {
            return transport;
        }

        @Override
        public void close() {
            registry.leave(channel, uid, "leave");
            transport.close();
        }
    }

    static String detectAddress() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list network interfaces: {}", e.toString());
        }
        return "127.0.0.1";
    }

    static boolean isLoopback(String ip) {
        try {
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        mux.close();
        webrtc.close();
        workers.close();
    }
}
