package io.srproxy.config;

import io.srproxy.config.ConfigProblem.Severity;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns an {@link RtxFile} into a typed {@link RtxConfig}, applying defaults and checking every
 * rule. All problems are collected (not just the first), each naming file, line, key and rule.
 */
public final class RtxConfigBinder {

    /** The config, or null when there were errors, and every problem found. */
    public record Binding(RtxConfig config, List<ConfigProblem> problems) {
        public List<ConfigProblem> errors() {
            return problems.stream().filter(p -> p.severity() == Severity.ERROR).toList();
        }

        public List<ConfigProblem> warnings() {
            return problems.stream().filter(p -> p.severity() == Severity.WARNING).toList();
        }
    }

    public static final Set<String> KNOWN_CODECS = Set.of("opus", "PCMU", "PCMA", "G722");

    private static final Pattern PLACEHOLDER = Pattern.compile("(?i)ip|x+|\\w*_ip|your.*|host");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9*#+]*");

    private final RtxFile file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private RtxConfigBinder(RtxFile file) {
        this.file = file;
    }

    public static Binding bind(RtxFile file) {
        return new RtxConfigBinder(file).bind();
    }

    private Binding bind() {
        for (RtxFile.BadLine bad : file.badLines()) {
            problems.add(new ConfigProblem(Severity.ERROR, file.name(), bad.line(), null, null,
                    bad.problem() + ": '" + bad.text().strip() + "'"));
        }
        for (RtxFile.Entry e : file.entries()) {
            if (ConfigKeys.find(e.section(), e.key()).isEmpty()) {
                String why = ConfigKeys.knownSection(e.section()) ? "unknown key, ignored"
                        : "unknown section [" + e.section() + "], key ignored";
                warn(e, why);
            }
        }

        var global = new RtxConfig.Global(
                appId(),
                sipServer(),
                ipAddress("global", "sip_local_ip").orElse("0.0.0.0"),
                port("global", "sip_local_port"),
                ipAddress("global", "public_ip"),
                optional("global", "app_cert"),
                trustedList(),
                intIn("global", "sip_keepalive", 0, 3600));
        var rtc = new RtxConfig.Rtc(mediaAddresses(), port("rtc", "port"), intIn("rtc", "max_members", 2, MAX_RTC_MEMBERS));
        var rtm = new RtxConfig.Rtm(ipAddress("rtm", "ip").orElse("0.0.0.0"), port("rtm", "port"),
                optional("rtm", "tls_cert"), optional("rtm", "tls_key"), allowedOrigins());
        if (rtm.tlsCert().isPresent() != rtm.tlsKey().isPresent()) {
            errorAt("rtm", rtm.tlsCert().isPresent() ? "tls_key" : "tls_cert", "tls_cert and tls_key go together");
        }
        boolean rtm2sipOn = flag("rtm2sip", "on");
        var rtm2sip = new RtxConfig.Rtm2Sip(rtm2sipOn, string("rtm2sip", "acc_rule"), accounts(rtm2sipOn),
                intIn("rtm2sip", "ring_timeout", 1, 3600));
        var pstn = new RtxConfig.Pstn(hostOnly("pstn", "ip"), digits("pstn", "prefix"));
        boolean proxyOn = flag("proxy", "on");
        var proxy = new RtxConfig.Proxy(proxyOn,
                required(proxyOn, "proxy", "sip_account"),
                required(proxyOn, "proxy", "sip_pwd"),
                required(proxyOn, "proxy", "rtm_account"),
                prefixOf("proxy", "prefix"));
        var conference = conference(proxy);
        var media = new RtxConfig.Media(port("media", "rtp_port_min"), port("media", "rtp_port_max"),
                codecs(), intIn("media", "rtp_timeout", 1, 3600), rtpLatching(), passthrough(), ioThreads(),
                intIn("media", "opus_complexity", 0, 10), opusBitrate());
        var limits = new RtxConfig.Limits(intIn("limits", "max_connections", 1, 10_000_000),
                intIn("limits", "max_requests_per_second", 1, 1_000_000), intIn("limits", "max_calls", 1, 1_000_000),
                intIn("limits", "sip_requests_per_second", 1, 1_000_000),
                intIn("limits", "rtc_max_connections", 1, 1_000_000), intIn("limits", "rtc_joins_per_second", 1, 1_000_000),
                intIn("limits", "sip_max_message_size", 4096, 1_048_576),
                intIn("limits", "sip_tcp_connections", 1, 100_000),
                intIn("limits", "sip_tcp_connections_per_source", 1, 100_000),
                intIn("limits", "sip_tcp_idle_timeout", 1, 86_400),
                intIn("limits", "rtm_channel_members", 1, 100_000), intIn("limits", "rtm_channels_per_user", 1, 1000));
        var log = new RtxConfig.Log(intIn("log", "level", 0, 5), optional("log", "file"),
                intIn("log", "max_file_size", 1, 1_000_000));

        var cluster = cluster(rtm);

        crossChecks(global, rtm2sip, proxy, media);
        var sipSecurity = sipSecurity(global);

        boolean failed = problems.stream().anyMatch(p -> p.severity() == Severity.ERROR);
        RtxConfig config = failed ? null
                : new RtxConfig(file.name(), global, rtc, rtm, rtm2sip, pstn, proxy, media, limits, log, cluster, sipSecurity, conference);
        return new Binding(config, List.copyOf(problems));
    }

    /**
     * A member of a full channel receives 2 * 31 = 62 streams, each with its own SSRC: within the 64
     * SRTP contexts one WebRTC connection may hold (rtc.webrtc's bound against made-up SSRCs).
     */
    static final int MAX_RTC_MEMBERS = 32;

    private void crossChecks(RtxConfig.Global global, RtxConfig.Rtm2Sip rtm2sip, RtxConfig.Proxy proxy,
                             RtxConfig.Media media) {
        if (global.sipServer().isEmpty() && (rtm2sip.on() || proxy.on())) {
            String which = rtm2sip.on() && proxy.on() ? "[rtm2sip] and [proxy] are" : rtm2sip.on() ? "[rtm2sip] is" : "[proxy] is";
            errorAt("global", "sip_svr", "required because " + which + " on");
        }
        global.sipServer().map(RtxConfig.HostPort::host).filter(RtxConfigBinder::isIpLiteral).ifPresent(server -> {
            String local = global.sipLocalIp();
            boolean wildcard = local.equals("0.0.0.0") || local.equals("::");
            if (!wildcard && isIpLiteral(local) && local.contains(":") != server.contains(":")) {
                errorAt("global", "sip_local_ip", local + " is " + (local.contains(":") ? "IPv6" : "IPv4") + " but sip_svr "
                        + server + " is " + (server.contains(":") ? "IPv6" : "IPv4")
                        + ": the SIP agent could not reach it (bind one of its family, or 0.0.0.0 for both)");
            }
        });
        if (media.rtpPortMin() >= media.rtpPortMax()) {
            errorAt("media", "rtp_port_max", "must be greater than rtp_port_min (" + media.rtpPortMin() + ")");
        }
        if (proxy.on() && rtm2sip.on()) {
            if (rtm2sip.accounts().contains(proxy.rtmAccount())) {
                errorAt("proxy", "rtm_account", proxy.rtmAccount() + " is inside the acc_rule range; apps and the gateway would share it");
            }
            if (rtm2sip.accounts().contains(proxy.sipAccount())) {
                errorAt("proxy", "sip_account", proxy.sipAccount() + " is inside the acc_rule range; the gateway would call itself");
            }
        }
    }

    private static final Pattern PIN = Pattern.compile("[0-9]{1,16}");

    /** {@code [conference]}: dial-in through the proxy extension, a digit prefix of its own, an optional PIN of digits. */
    private RtxConfig.Conference conference(RtxConfig.Proxy proxy) {
        boolean on = flag("conference", "on");
        String prefix = raw("conference", "prefix");
        if (!prefix.matches("[0-9]{1,8}")) {
            errorAt("conference", "prefix", "'" + prefix + "' must be 1..8 digits (a room is dialled as <prefix><room>)");
        }
        Optional<String> pin = optional("conference", "pin");
        if (pin.isPresent() && !PIN.matcher(pin.get()).matches()) {
            errorAt("conference", "pin", "must be 1..16 digits 0-9 (sent as telephone-events, ended by #)");
        }
        if (on && !proxy.on()) {
            errorAt("conference", "on", "needs [proxy] on=1: phones dial in through the proxy extension");
        }
        if (on && proxy.on() && prefix.equals(proxy.prefix())) {
            errorAt("conference", "prefix", "'" + prefix + "' is also [proxy] prefix; calls to apps and to rooms need different prefixes");
        }
        return new RtxConfig.Conference(on, prefix, pin);
    }

    // ---- typed readers: each records a problem and falls back to the default ----

    private static final Pattern ORIGIN = Pattern.compile("https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?");

    /** {@code [rtm] allowed_origins}: "*" or a comma list of web origins ({@code scheme://host[:port]}). */
    private List<String> allowedOrigins() {
        String value = string("rtm", "allowed_origins").strip();
        if (value.isEmpty() || value.equals("*")) {
            return RtxConfig.Rtm.ANY_ORIGIN;
        }
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String origin = part.strip();
            if (origin.endsWith("/")) {
                origin = origin.substring(0, origin.length() - 1);
            }
            if (origin.equals("*")) {
                errorAt("rtm", "allowed_origins", "'*' allows every origin: use it alone, not in a list");
            } else if (!ORIGIN.matcher(origin).matches()) {
                errorAt("rtm", "allowed_origins", "'" + part.strip() + "' is not a web origin: write scheme://host[:port]"
                        + " (http or https, no path), e.g. https://app.example.com or http://127.0.0.1:8080");
            } else {
                out.add(origin.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private String raw(String section, String key) {
        Optional<RtxFile.Entry> e = file.get(section, key);
        String def = ConfigKeys.find(section, key).orElseThrow().defaultValue();
        return e.map(RtxFile.Entry::value).filter(v -> !v.isEmpty()).orElse(def);
    }

    private String string(String section, String key) {
        return raw(section, key);
    }

    private Optional<String> optional(String section, String key) {
        String v = raw(section, key);
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private String appId() {
        if (file.get("global", "appid").filter(e -> !e.value().isEmpty()).isEmpty() && !file.entries().isEmpty()) {
            problems.add(new ConfigProblem(Severity.WARNING, file.name(), 0, "global", "appid",
                    "not set; apps log in with appid 'srproxy'"));
        }
        return raw("global", "appid");
    }

    private String required(boolean when, String section, String key) {
        String v = raw(section, key);
        if (when && v.isEmpty()) {
            errorAt(section, key, "required because [" + section + "] on=1");
        }
        return v;
    }

    private boolean flag(String section, String key) {
        String v = raw(section, key).toLowerCase(Locale.ROOT);
        switch (v) {
            case "1", "true", "yes", "on" -> { return true; }
            case "0", "false", "no", "off" -> { return false; }
            default -> {
                errorAt(section, key, "'" + v + "' is not a switch (use 1 or 0)");
                return false;
            }
        }
    }

    private int intIn(String section, String key, int min, int max) {
        String v = raw(section, key);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                errorAt(section, key, n + " is out of range " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            errorAt(section, key, "'" + v + "' is not a whole number");
            return Integer.parseInt(ConfigKeys.find(section, key).orElseThrow().defaultValue());
        }
    }

    /** {@code [media] io_threads}: 0 (the default) = one per available processor. */
    private int ioThreads() {
        int n = intIn("media", "io_threads", 0, 256);
        return n > 0 ? n : Runtime.getRuntime().availableProcessors();
    }

    /** {@code [media] opus_bitrate}: 0 = libopus chooses, else libopus's range 6000..510000 bit/s. */
    private int opusBitrate() {
        int n = intIn("media", "opus_bitrate", 0, 510_000);
        if (n != 0 && n < 6000) {
            errorAt("media", "opus_bitrate", n + " is below libopus's minimum of 6000 bit/s (0 = automatic)");
        }
        return n;
    }

    private RtxConfig.RtpLatching rtpLatching() {
        String v = raw("media", "rtp_latching");
        for (RtxConfig.RtpLatching l : RtxConfig.RtpLatching.values()) {
            if (l.name().equalsIgnoreCase(v)) {
                return l;
            }
        }
        errorAt("media", "rtp_latching", "'" + v + "' is not one of auto, on, off");
        return RtxConfig.RtpLatching.AUTO;
    }

    /** {@code sip_transport}, {@code sip_tls_*} and {@code [media] sip_srtp}, with the rules between them. */
    private RtxConfig.SipSecurity sipSecurity(RtxConfig.Global global) {
        RtxConfig.SipTransport transport = oneOf("global", "sip_transport", RtxConfig.SipTransport.values(),
                RtxConfig.SipTransport.UDP);
        Optional<String> cert = optional("global", "sip_tls_cert");
        Optional<String> key = optional("global", "sip_tls_key");
        if (cert.isPresent() != key.isPresent()) {
            errorAt("global", cert.isPresent() ? "sip_tls_key" : "sip_tls_cert", "sip_tls_cert and sip_tls_key go together");
        }
        if (transport == RtxConfig.SipTransport.TLS && cert.isEmpty()) {
            errorAt("global", "sip_tls_cert", "required because sip_transport=tls (the PEM certificate of our TLS listening point)");
        }
        for (Optional<String> file : List.of(cert, key, optional("global", "sip_tls_ca"))) {
            file.filter(f -> !java.nio.file.Files.isReadable(java.nio.file.Path.of(f))).ifPresent(f -> errorAt("global",
                    f.equals(cert.orElse(null)) ? "sip_tls_cert" : f.equals(key.orElse(null)) ? "sip_tls_key" : "sip_tls_ca",
                    "'" + f + "' is not a readable file"));
        }
        int tlsPort = intIn("global", "sip_tls_port", 0, 65535);
        if (cert.isPresent() && (tlsPort == 0 ? global.sipLocalPort() + 1 > 65535 : tlsPort == global.sipLocalPort())) {
            errorAt("global", "sip_tls_port", tlsPort == 0 ? "sip_local_port + 1 is above 65535; set sip_tls_port"
                    : tlsPort + " is sip_local_port: TLS needs a port of its own");
        }
        boolean trustAll = flag("global", "sip_tls_trust_all");
        if (trustAll && transport == RtxConfig.SipTransport.TLS) {
            warnAt("global", "sip_tls_trust_all", "on: any certificate is taken as sip_svr's (tests only; anyone on the path can read the calls)");
        }
        RtxConfig.SipSrtp srtp = oneOf("media", "sip_srtp", RtxConfig.SipSrtp.values(), RtxConfig.SipSrtp.OFF);
        if (srtp != RtxConfig.SipSrtp.OFF && srtp != RtxConfig.SipSrtp.DTLS && transport != RtxConfig.SipTransport.TLS) {
            warnAt("media", "sip_srtp", srtp.name().toLowerCase(Locale.ROOT) + " with sip_transport="
                    + transport.name().toLowerCase(Locale.ROOT) + ": the SRTP keys travel in clear SDP (use sip_transport=tls)");
        }
        return new RtxConfig.SipSecurity(transport, cert, key, tlsPort, optional("global", "sip_tls_ca"), trustAll, srtp);
    }

    private <E extends Enum<E>> E oneOf(String section, String key, E[] values, E fallback) {
        String v = raw(section, key);
        for (E e : values) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        errorAt(section, key, "'" + v + "' is not one of " + Arrays.stream(values)
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(", ")));
        return fallback;
    }

    private RtxConfig.Passthrough passthrough() {
        String v = raw("media", "passthrough");
        for (RtxConfig.Passthrough p : RtxConfig.Passthrough.values()) {
            if (p.name().equalsIgnoreCase(v)) {
                return p;
            }
        }
        errorAt("media", "passthrough", "'" + v + "' is not one of prefer, never");
        return RtxConfig.Passthrough.PREFER;
    }

    private int port(String section, String key) {
        return intIn(section, key, 1, 65535);
    }

    private String digits(String section, String key) {
        String v = raw(section, key);
        if (!DIGITS.matcher(v).matches()) {
            errorAt(section, key, "'" + v + "' must be dial digits (0-9, *, #, +)");
        }
        return v;
    }

    /** A dial prefix where an empty value means "no prefix" rather than the default. */
    private String prefixOf(String section, String key) {
        if (file.get(section, key).map(RtxFile.Entry::value).filter(String::isEmpty).isPresent()) {
            return "";
        }
        return digits(section, key);
    }

    /** An IP literal; an IPv6 one may be written bare ({@code ::1}) or in brackets ({@code [::1]}), kept bare. */
    private Optional<String> ipAddress(String section, String key) {
        Optional<String> v = optional(section, key).map(RtxConfigBinder::unbracketed);
        if (v.isPresent() && !isIpLiteral(v.get())) {
            errorAt(section, key, "'" + v.get() + "' is not an IP address" + ipv6Hint(v.get()));
        }
        return v;
    }

    /** {@code [2001:db8::1]} without its brackets; anything else as it is. */
    private static String unbracketed(String v) {
        return v.length() > 2 && v.startsWith("[") && v.endsWith("]") && v.indexOf(':') > 0 ? v.substring(1, v.length() - 1) : v;
    }

    /** Why a value with a colon is no IP address: a port or a stray colon after an IPv6 address, usually. */
    private static String ipv6Hint(String v) {
        return v.indexOf(':') < 0 ? "" : " (an IPv6 address is written like ::1 or 2001:db8::10, without a port or a trailing ':')";
    }

    /** {@code [rtc] ip}: one address, or one IPv4 and one IPv6 address separated by a comma. */
    private Optional<String> mediaAddresses() {
        Optional<String> v = optional("rtc", "ip");
        if (v.isEmpty()) {
            return v;
        }
        String[] parts = v.get().split(",", -1);
        int v4 = 0;
        int v6 = 0;
        for (String part : parts) {
            String a = part.strip();
            if (!isIpLiteral(a)) {
                errorAt("rtc", "ip", "'" + a + "' is not an IP address");
                return v;
            }
            if (a.contains(":")) {
                v6++;
            } else {
                v4++;
            }
        }
        if (v4 > 1 || v6 > 1) {
            errorAt("rtc", "ip", "'" + v.get() + "' names more than one address of a family (at most one IPv4 and one IPv6)");
        }
        return v;
    }

    private Optional<String> hostOnly(String section, String key) {
        Optional<String> v = optional(section, key).map(RtxConfigBinder::unbracketed);
        if (v.isPresent() && !isIpLiteral(v.get()) && !HOST.matcher(v.get()).matches()) {
            errorAt(section, key, "'" + v.get() + "' is not a host name or IP address" + ipv6Hint(v.get()));
        }
        return v;
    }

    private Optional<RtxConfig.HostPort> sipServer() {
        Optional<String> v = optional("global", "sip_svr");
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String s = v.get();
        String host = s;
        int port = 5060;
        if (s.startsWith("[")) { // [IPv6]:port
            int close = s.indexOf(']');
            host = close > 0 ? s.substring(1, close) : s;
            String rest = close > 0 ? s.substring(close + 1) : "";
            if (close < 0 || host.indexOf(':') < 0 || !isIpLiteral(host) || !(rest.isEmpty() || rest.startsWith(":"))) {
                errorAt("global", "sip_svr", "'" + s + "' is not [IPv6 address] or [IPv6 address]:port, e.g. [2001:db8::10]:5060");
                return Optional.empty();
            }
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1));
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = parsePort(s.substring(s.indexOf(':') + 1));
        }
        if (port < 0) {
            errorAt("global", "sip_svr", "'" + s + "': port must be 1..65535");
            return Optional.empty();
        }
        if (!isIpLiteral(host) && !HOST.matcher(host).matches()) {
            errorAt("global", "sip_svr", "'" + s + "' is not host[:port]"
                    + (host.indexOf(':') >= 0 ? " (with a port, an IPv6 address goes in brackets: [2001:db8::10]:5060)" : ""));
            return Optional.empty();
        }
        if (PLACEHOLDER.matcher(host).matches()) {
            warnAt("global", "sip_svr", "'" + host + "' looks like a placeholder; put your SIP server's address here");
        }
        return Optional.of(new RtxConfig.HostPort(host, port));
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p >= 1 && p <= 65535 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private List<String> trustedList() {
        List<String> out = new ArrayList<>();
        for (String item : raw("global", "sip_trusted").split(",")) {
            if (item.isEmpty()) {
                continue;
            }
            String addr = item.contains("/") ? item.substring(0, item.indexOf('/')) : item;
            boolean badMask = false;
            if (item.contains("/")) {
                try {
                    int bits = Integer.parseInt(item.substring(item.indexOf('/') + 1));
                    badMask = bits < 0 || bits > (addr.contains(":") ? 128 : 32);
                } catch (NumberFormatException e) {
                    badMask = true;
                }
            }
            if (!isIpLiteral(addr) || badMask) {
                errorAt("global", "sip_trusted", "'" + item + "' is not an IP address or CIDR block");
            } else {
                out.add(item);
            }
        }
        return List.copyOf(out);
    }

    private List<String> accounts(boolean on) {
        String rule = raw("rtm2sip", "acc_rule");
        try {
            List<String> accounts = AccRule.expand(rule);
            if (on && accounts.isEmpty()) {
                errorAt("rtm2sip", "acc_rule", "required because [rtm2sip] on=1");
            }
            return accounts;
        } catch (IllegalArgumentException e) {
            errorAt("rtm2sip", "acc_rule", e.getMessage());
            return List.of();
        }
    }

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** {@code [cluster]}: all of it is ignored without {@code redis}. */
    private RtxConfig.Cluster cluster(RtxConfig.Rtm rtm) {
        Optional<String> redis = optional("cluster", "redis");
        if (redis.isEmpty()) {
            for (String k : List.of("node_id", "advertise")) {
                if (optional("cluster", k).isPresent()) {
                    warnAt("cluster", k, "ignored: [cluster] redis is not set, so this is a single node");
                }
            }
            return RtxConfig.Cluster.NONE;
        }
        redisUri(redis.get());
        String host = hostName();
        String nodeId = optional("cluster", "node_id").orElse(host + "-" + rtm.port());
        if (!NODE_ID.matcher(nodeId).matches()) {
            errorAt("cluster", "node_id", "'" + nodeId + "' must be 1..64 of A-Z a-z 0-9 . _ -");
        }
        String advertise = optional("cluster", "advertise")
                .orElse((rtm.ip().equals("0.0.0.0") || rtm.ip().equals("::") ? host : rtm.ip()) + ":" + rtm.port());
        int colon = advertise.lastIndexOf(':');
        if (colon <= 0 || parsePort(advertise.substring(colon + 1)) < 0) {
            errorAt("cluster", "advertise", "'" + advertise + "' is not host:port (where apps reach this node's [rtm] port)");
        }
        return new RtxConfig.Cluster(redis, nodeId, advertise);
    }

    /** redis://[[user]:password@]host[:port][/db] or rediss:// (TLS); named problems, never the password. */
    private void redisUri(String value) {
        String shown = RtxConfig.Cluster.redacted(value);
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            errorAt("cluster", "redis", "'" + shown + "' is not a URI (redis://host:port)");
            return;
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            errorAt("cluster", "redis", "'" + shown + "' must start with redis:// or rediss:// (TLS)");
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
            errorAt("cluster", "redis", "'" + shown + "' names no host (redis://host:port)");
        } else if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().matches("/\\d{1,2}")) {
            errorAt("cluster", "redis", "'" + shown + "': the path must be a database number (/0../15)");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (java.net.UnknownHostException e) {
            return "srproxy";
        }
    }

    private List<String> codecs() {
        List<String> out = new ArrayList<>();
        for (String c : raw("media", "codecs").split(",")) {
            String name = KNOWN_CODECS.stream().filter(k -> k.equalsIgnoreCase(c)).findFirst().orElse(null);
            if (name == null) {
                errorAt("media", "codecs", "unknown codec '" + c + "' (known: opus, PCMU, PCMA, G722)");
            } else if (!out.contains(name)) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    static boolean isIpLiteral(String s) {
        if (s.isEmpty()) {
            return false;
        }
        if (s.contains(":")) {
            if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return false;
            }
        } else {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4 || !Arrays.stream(parts).allMatch(p -> p.matches("\\d{1,3}") && Integer.parseInt(p) < 256)) {
                return false;
            }
        }
        try {
            InetAddress.getByName(s); // literal: no DNS lookup happens
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    // ---- problem recording ----

    private int lineOf(String section, String key) {
        return file.get(section, key).map(RtxFile.Entry::line).orElse(0);
    }

    private void errorAt(String section, String key, String message) {
        problems.add(new ConfigProblem(Severity.ERROR, file.name(), lineOf(section, key), section, key, message));
    }

    private void warnAt(String section, String key, String message) {
        problems.add(new ConfigProblem(Severity.WARNING, file.name(), lineOf(section, key), section, key, message));
    }

    private void warn(RtxFile.Entry e, String message) {
        problems.add(new ConfigProblem(Severity.WARNING, file.name(), e.line(), e.section(), e.key(), message));
    }
}
