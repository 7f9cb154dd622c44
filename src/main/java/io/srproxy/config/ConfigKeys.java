package io.srproxy.config;

import java.util.List;
import java.util.Optional;

/** Every key srproxy knows, its default as written in a file, and whether its value is a secret. */
public final class ConfigKeys {

    public record Key(String section, String name, String defaultValue, boolean secret) {}

    public static final List<Key> ALL = List.of(
            new Key("global", "appid", "srproxy", false),
            new Key("global", "sip_svr", "", false),
            new Key("global", "sip_local_ip", "0.0.0.0", false),
            new Key("global", "sip_local_port", "5086", false),
            new Key("global", "public_ip", "", false),
            new Key("global", "app_cert", "", true),
            new Key("global", "sip_trusted", "", false),
            new Key("global", "sip_keepalive", "15", false),
            new Key("global", "sip_transport", "udp", false),
            new Key("global", "sip_tls_cert", "", false),
            new Key("global", "sip_tls_key", "", false),
            new Key("global", "sip_tls_port", "0", false),
            new Key("global", "sip_tls_ca", "", false),
            new Key("global", "sip_tls_trust_all", "0", false),
            new Key("rtc", "ip", "", false),
            new Key("rtc", "port", "6080", false),
            new Key("rtc", "max_members", "17", false),
            new Key("rtm", "ip", "0.0.0.0", false),
            new Key("rtm", "port", "7080", false),
            new Key("rtm", "tls_cert", "", false),
            new Key("rtm", "tls_key", "", false),
            new Key("rtm", "allowed_origins", "*", false),
            new Key("rtm2sip", "on", "0", false),
            new Key("rtm2sip", "acc_rule", "", false),
            new Key("rtm2sip", "ring_timeout", "55", false),
            new Key("pstn", "ip", "", false),
            new Key("pstn", "prefix", "", false),
            new Key("proxy", "on", "0", false),
            new Key("proxy", "sip_account", "", false),
            new Key("proxy", "sip_pwd", "", true),
            new Key("proxy", "rtm_account", "", false),
            new Key("proxy", "prefix", "0", false),
            new Key("conference", "on", "0", false),
            new Key("conference", "prefix", "8", false),
            new Key("conference", "pin", "", true),
            new Key("media", "rtp_port_min", "16384", false),
            new Key("media", "rtp_port_max", "32768", false),
            new Key("media", "codecs", "opus,PCMU,PCMA", false),
            new Key("media", "rtp_timeout", "30", false),
            new Key("media", "rtp_latching", "auto", false),
            new Key("media", "sip_srtp", "off", false),
            new Key("media", "passthrough", "prefer", false),
            new Key("media", "io_threads", "0", false),
            new Key("media", "opus_complexity", "5", false),
            new Key("media", "opus_bitrate", "0", false),
            new Key("limits", "max_connections", "10000", false),
            new Key("limits", "max_requests_per_second", "50", false),
            new Key("limits", "max_calls", "1000", false),
            new Key("limits", "sip_requests_per_second", "100", false),
            new Key("limits", "rtc_max_connections", "2000", false),
            new Key("limits", "rtc_joins_per_second", "10", false),
            new Key("limits", "sip_max_message_size", "65536", false),
            new Key("limits", "sip_tcp_connections", "1024", false),
            new Key("limits", "sip_tcp_connections_per_source", "32", false),
            new Key("limits", "sip_tcp_idle_timeout", "300", false),
            new Key("limits", "rtm_channel_members", "512", false),
            new Key("limits", "rtm_channels_per_user", "20", false),
            new Key("cluster", "redis", "", false),
            new Key("cluster", "node_id", "", false),
            new Key("cluster", "advertise", "", false),
            new Key("log", "level", "2", false),
            new Key("log", "file", "", false),
            new Key("log", "max_file_size", "100", false));

    private ConfigKeys() {}

    public static Optional<Key> find(String section, String name) {
        return ALL.stream().filter(k -> k.section().equals(section) && k.name().equals(name)).findFirst();
    }

    public static boolean knownSection(String section) {
        return ALL.stream().anyMatch(k -> k.section().equals(section));
    }
}
