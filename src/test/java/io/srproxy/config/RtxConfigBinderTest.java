package io.srproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.config.ConfigProblem.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtxConfigBinderTest {

    private static RtxConfigBinder.Binding bind(String text) {
        return RtxConfigBinder.bind(RtxFile.parse(text, "rtx.conf"));
    }

    private static String sample(String name) throws IOException {
        try (InputStream in = RtxConfigBinderTest.class.getResourceAsStream("/samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theDeploymentGuideSampleLoadsWithOnlyThePlaceholderWarning() throws IOException {
        RtxConfigBinder.Binding b = RtxConfigBinder.bind(RtxFile.parse(sample("guide-rtx.conf"), "guide-rtx.conf"));
        assertThat(b.errors()).isEmpty();
        assertThat(b.warnings()).extracting(ConfigProblem::toString).containsExactly(
                "guide-rtx.conf:3: [global] sip_svr: 'IP' looks like a placeholder; put your SIP server's address here");
        RtxConfig c = b.config();
        assertThat(c.global().appId()).isEqualTo("XXXXX");
        assertThat(c.global().sipServer()).contains(new RtxConfig.HostPort("IP", 5060));
        assertThat(c.global().sipLocalPort()).isEqualTo(5086);
        assertThat(c.global().sipKeepaliveSeconds()).isEqualTo(15);
        assertThat(c.rtm2sip().on()).isTrue();
        assertThat(c.rtm2sip().accounts()).hasSize(15).startsWith("1005", "1006").endsWith("1019");
        assertThat(c.proxy()).isEqualTo(new RtxConfig.Proxy(true, "1000", "1234", "1086", "0"));
        assertThat(c.log()).isEqualTo(new RtxConfig.Log(2, Optional.of("rtc_sip.log"), 100));
        assertThat(c.rtm()).isEqualTo(new RtxConfig.Rtm("0.0.0.0", 7080, Optional.empty(), Optional.empty()));
        assertThat(c.rtc()).isEqualTo(new RtxConfig.Rtc(Optional.empty(), 6080));
        assertThat(c.rtc().maxMembers()).isEqualTo(17);
        assertThat(bind("[rtc]\nmax_members=3\n").config().rtc().maxMembers()).isEqualTo(3);
        assertThat(c.reservedUids()).contains("1086", "1005", "1019").hasSize(16);
    }

    @Test
    void theUpstreamSampleLoadsWithItsPstnSectionAndEmptyValues() throws IOException {
        RtxConfigBinder.Binding b = RtxConfigBinder.bind(RtxFile.parse(sample("upstream-rtx.conf"), "upstream-rtx.conf"));
        assertThat(b.errors()).isEmpty();
        RtxConfig c = b.config();
        assertThat(c.pstn()).isEqualTo(new RtxConfig.Pstn(Optional.of("192.168.1.122"), "9"));
        assertThat(c.rtm2sip().accounts()).containsExactly("1016", "1017", "2001", "2002", "2003", "2004", "2005");
        assertThat(c.rtc().port()).isEqualTo(6080);
        assertThat(c.rtm().port()).isEqualTo(7080);
    }

    @Test
    void theShippedConfigIsValidAndStandsAlone() throws Exception {
        RtxConfigBinder.Binding b = RtxConfigLoader.bindEmbedded();
        assertThat(b.problems()).isEmpty();
        assertThat(b.config().rtm2sip().on()).isFalse();
        assertThat(b.config().proxy().on()).isFalse();
    }

    @Test
    void conferenceDialInIsOffByDefaultAndCheckedWhenOn() {
        assertThat(RtxConfig.defaults().conference()).isEqualTo(RtxConfig.Conference.OFF);
        String proxy = "[global]\nsip_svr=127.0.0.1\n[proxy]\non=1\nsip_account=1000\nsip_pwd=x\nrtm_account=1086\n";
        RtxConfig c = bind(proxy + "[conference]\non=1\npin=4321\n").config();
        assertThat(c.conference()).isEqualTo(new RtxConfig.Conference(true, "8", Optional.of("4321")));
        assertThat(bind("[conference]\non=1\n").errors()).extracting(ConfigProblem::toString)
                .anyMatch(e -> e.contains("[conference] on: needs [proxy] on=1"));
        assertThat(bind(proxy + "[conference]\non=1\npin=12ab\n").errors()).extracting(ConfigProblem::toString)
                .anyMatch(e -> e.contains("[conference] pin: must be 1..16 digits"));
        assertThat(bind(proxy + "[conference]\non=1\nprefix=0\n").errors()).extracting(ConfigProblem::toString)
                .anyMatch(e -> e.contains("also [proxy] prefix"));
        assertThat(bind(proxy + "[conference]\non=1\nprefix=*9\n").errors()).extracting(ConfigProblem::toString)
                .anyMatch(e -> e.contains("[conference] prefix: '*9' must be 1..8 digits"));
    }

    @Test
    void mediaAddressesMayBeOneOfEachFamily() {
        assertThat(bind("[rtc]\nip=192.0.2.1,2001:db8::1\n").config().rtc().ip()).contains("192.0.2.1,2001:db8::1");
        assertThat(bind("[rtc]\nip=2001:db8::1\n").config().rtc().ip()).contains("2001:db8::1");
    }

    @Test
    void everyDefaultIsValid() {
        RtxConfig c = RtxConfig.defaults();
        assertThat(c.global().sipLocalPort()).isEqualTo(5086);
        assertThat(c.rtc().port()).isEqualTo(6080);
        assertThat(c.rtm().port()).isEqualTo(7080);
        assertThat(c.proxy().prefix()).isEqualTo("0");
        assertThat(c.media()).isEqualTo(new RtxConfig.Media(16384, 32768, List.of("opus", "PCMU", "PCMA"), 30,
                RtxConfig.RtpLatching.AUTO));
        assertThat(c.log().level()).isEqualTo(2);
        assertThat(c.limits()).isEqualTo(new RtxConfig.Limits(10_000, 50, 1000, 100, 2000, 10, 65_536, 1024, 32, 300, 512, 20));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'[global]\nsip_local_port=70000'                 | rtx.conf:2: [global] sip_local_port: 70000 is out of range 1..65535",
        "'[rtm]\nport=abc'                                | rtx.conf:2: [rtm] port: 'abc' is not a whole number",
        "'[rtm2sip]\non=1\nacc_rule=10[19-06]\n[global]\nsip_svr=h' | rtx.conf:3: [rtm2sip] acc_rule: '10[19-06]': FROM 19 is greater than TO 06",
        "'[rtm2sip]\non=1\nacc_rule=10[0a-19]\n[global]\nsip_svr=h' | rtx.conf:3: [rtm2sip] acc_rule: '10[0a-19]': FROM and TO must be numbers of at most 9 digits",
        "'[rtm2sip]\non=1\nacc_rule=10[06-19\n[global]\nsip_svr=h'  | rtx.conf:3: [rtm2sip] acc_rule: '10[06-19': unbalanced brackets (expected PREFIX[FROM-TO])",
        "'[proxy]\non=1\nsip_account=1000\nsip_pwd=1\nrtm_account=1086' | rtx.conf: [global] sip_svr: required because [proxy] is on",
        "'[rtm2sip]\non=1\nacc_rule=1005'                 | rtx.conf: [global] sip_svr: required because [rtm2sip] is on",
        "'[global]\nsip_svr=h\n[proxy]\non=1\nsip_account=1000\nsip_pwd=1' | rtx.conf: [proxy] rtm_account: required because [proxy] on=1",
        "'[proxy]\non=maybe'                              | rtx.conf:2: [proxy] on: 'maybe' is not a switch (use 1 or 0)",
        "'[global]\nsip_svr=h:99999'                      | rtx.conf:2: [global] sip_svr: 'h:99999': port must be 1..65535",
        "'[global]\nsip_svr=bad_host!'                    | rtx.conf:2: [global] sip_svr: 'bad_host!' is not host[:port]",
        "'[global]\nsip_local_ip=::1:'                    | rtx.conf:2: [global] sip_local_ip: '::1:' is not an IP address (an IPv6 address is written like ::1 or 2001:db8::10, without a port or a trailing ':')",
        "'[global]\nsip_local_ip=[::1]:5086'              | rtx.conf:2: [global] sip_local_ip: '[::1]:5086' is not an IP address (an IPv6 address is written like ::1 or 2001:db8::10, without a port or a trailing ':')",
        "'[global]\npublic_ip=2001:db8::g'                | rtx.conf:2: [global] public_ip: '2001:db8::g' is not an IP address (an IPv6 address is written like ::1 or 2001:db8::10, without a port or a trailing ':')",
        "'[global]\nsip_svr=[::1]5060'                    | rtx.conf:2: [global] sip_svr: '[::1]5060' is not [IPv6 address] or [IPv6 address]:port, e.g. [2001:db8::10]:5060",
        "'[global]\nsip_svr=[pbx.example.com]:5060'       | rtx.conf:2: [global] sip_svr: '[pbx.example.com]:5060' is not [IPv6 address] or [IPv6 address]:port, e.g. [2001:db8::10]:5060",
        "'[global]\nsip_svr=[::1]:'                       | rtx.conf:2: [global] sip_svr: '[::1]:': port must be 1..65535",
        "'[global]\nsip_svr=::1::5060'                    | rtx.conf:2: [global] sip_svr: '::1::5060' is not host[:port] (with a port, an IPv6 address goes in brackets: [2001:db8::10]:5060)",
        "'[global]\nsip_svr=[::1]:5060\nsip_local_ip=127.0.0.1' | rtx.conf:3: [global] sip_local_ip: 127.0.0.1 is IPv4 but sip_svr ::1 is IPv6: the SIP agent could not reach it (bind one of its family, or 0.0.0.0 for both)",
        "'[global]\nsip_svr=127.0.0.1\nsip_local_ip=::1'  | rtx.conf:3: [global] sip_local_ip: ::1 is IPv6 but sip_svr 127.0.0.1 is IPv4: the SIP agent could not reach it (bind one of its family, or 0.0.0.0 for both)",
        "'[global]\npublic_ip=my.host'                    | rtx.conf:2: [global] public_ip: 'my.host' is not an IP address",
        "'[rtc]\nip=192.0.2.1,192.0.2.2'                 | rtx.conf:2: [rtc] ip: '192.0.2.1,192.0.2.2' names more than one address of a family (at most one IPv4 and one IPv6)",
        "'[rtc]\nip=192.0.2.1,media.host'                | rtx.conf:2: [rtc] ip: 'media.host' is not an IP address",
        "'[global]\nsip_trusted=10.0.0.0/33'              | rtx.conf:2: [global] sip_trusted: '10.0.0.0/33' is not an IP address or CIDR block",
        "'[global]\nsip_keepalive=-1'                     | rtx.conf:2: [global] sip_keepalive: -1 is out of range 0..3600",
        "'[media]\nrtp_port_min=20000\nrtp_port_max=10000' | rtx.conf:3: [media] rtp_port_max: must be greater than rtp_port_min (20000)",
        "'[media]\ncodecs=opus,G729'                      | rtx.conf:2: [media] codecs: unknown codec 'G729' (known: opus, PCMU, PCMA, G722)",
        "'[media]\npassthrough=always'                   | rtx.conf:2: [media] passthrough: 'always' is not one of prefer, never",
        "'[rtm]\ntls_cert=/etc/c.pem'                    | rtx.conf: [rtm] tls_key: tls_cert and tls_key go together",
        "'[log]\nlevel=6'                                 | rtx.conf:2: [log] level: 6 is out of range 0..5",
        "'[global]\nsip_transport=sctp'                   | rtx.conf:2: [global] sip_transport: 'sctp' is not one of udp, tcp, tls",
        "'[global]\nsip_transport=tls'                    | rtx.conf: [global] sip_tls_cert: required because sip_transport=tls (the PEM certificate of our TLS listening point)",
        "'[global]\nsip_tls_key=/nonexistent/k.pem'       | rtx.conf: [global] sip_tls_cert: sip_tls_cert and sip_tls_key go together",
        "'[global]\nsip_tls_ca=/nonexistent/ca.pem'       | rtx.conf:2: [global] sip_tls_ca: '/nonexistent/ca.pem' is not a readable file",
        "'[global]\nsip_tls_port=70000'                   | rtx.conf:2: [global] sip_tls_port: 70000 is out of range 0..65535",
        "'[media]\nsip_srtp=always'                       | rtx.conf:2: [media] sip_srtp: 'always' is not one of off, offer, require, dtls",
        "'[rtc]\nmax_members=33'                          | rtx.conf:2: [rtc] max_members: 33 is out of range 2..32",
        "'[limits]\nsip_requests_per_second=0'           | rtx.conf:2: [limits] sip_requests_per_second: 0 is out of range 1..1000000",
        "'[limits]\nrtc_max_connections=0'               | rtx.conf:2: [limits] rtc_max_connections: 0 is out of range 1..1000000",
        "'[limits]\nrtc_joins_per_second=x'              | rtx.conf:2: [limits] rtc_joins_per_second: 'x' is not a whole number",
        "'[limits]\nsip_max_message_size=1000'           | rtx.conf:2: [limits] sip_max_message_size: 1000 is out of range 4096..1048576",
        "'[limits]\nsip_tcp_connections=0'              | rtx.conf:2: [limits] sip_tcp_connections: 0 is out of range 1..100000",
        "'[limits]\nsip_tcp_connections_per_source=0'   | rtx.conf:2: [limits] sip_tcp_connections_per_source: 0 is out of range 1..100000",
        "'[limits]\nsip_tcp_idle_timeout=0'             | rtx.conf:2: [limits] sip_tcp_idle_timeout: 0 is out of range 1..86400",
        "'[limits]\nrtm_channel_members=0'               | rtx.conf:2: [limits] rtm_channel_members: 0 is out of range 1..100000",
        "'[limits]\nrtm_channels_per_user=1001'          | rtx.conf:2: [limits] rtm_channels_per_user: 1001 is out of range 1..1000",
        "'[pstn]\nprefix=9a'                              | rtx.conf:2: [pstn] prefix: '9a' must be dial digits (0-9, *, #, +)",
        "'[global]\nthis line has no equals'              | rtx.conf:2: expected key=value, [section] or # comment: 'this line has no equals'",
    })
    void eachBrokenRuleIsAnErrorNamingFileLineKeyAndRule(String text, String message) {
        RtxConfigBinder.Binding b = bind(text.replace("\\n", "\n"));
        assertThat(b.config()).isNull();
        assertThat(b.errors()).extracting(ConfigProblem::toString).contains(message);
    }

    @Test
    void sipSrtpDtlsNeedsNoTlsSignallingButSdesIsWarnedAbout() {
        RtxConfigBinder.Binding dtls = bind("[media]\nsip_srtp=dtls\n");
        assertThat(dtls.errors()).isEmpty();
        assertThat(dtls.config().sipSecurity().srtp()).isEqualTo(RtxConfig.SipSrtp.DTLS);
        assertThat(dtls.warnings()).extracting(ConfigProblem::toString).noneMatch(w -> w.contains("sip_srtp"));
        assertThat(bind("[media]\nsip_srtp=offer\n").warnings()).extracting(ConfigProblem::toString)
                .anyMatch(w -> w.contains("SRTP keys travel in clear SDP"));
    }

    @Test
    void gatewayAccountsInsideTheAccRuleRangeAreRejected() {
        RtxConfigBinder.Binding b = bind("""
                [global]
                sip_svr=127.0.0.1
                [rtm2sip]
                on=1
                acc_rule=10[00-19]
                [proxy]
                on=1
                sip_account=1000
                sip_pwd=1234
                rtm_account=1010
                """);
        assertThat(b.errors()).extracting(ConfigProblem::toString).containsExactly(
                "rtx.conf:10: [proxy] rtm_account: 1010 is inside the acc_rule range; apps and the gateway would share it",
                "rtx.conf:8: [proxy] sip_account: 1000 is inside the acc_rule range; the gateway would call itself");
    }

    @Test
    void unknownKeysAndSectionsAreWarnedAboutWithTheirLineAndIgnored() {
        RtxConfigBinder.Binding b = bind("[global]\nappid=a\ncolour=blue\n[extras]\nx=1\n");
        assertThat(b.errors()).isEmpty();
        assertThat(b.warnings()).extracting(ConfigProblem::toString).containsExactly(
                "rtx.conf:3: [global] colour: unknown key, ignored",
                "rtx.conf:5: [extras] x: unknown section [extras], key ignored");
        assertThat(b.config().global().appId()).isEqualTo("a");
    }

    @Test
    void everyErrorIsReportedNotJustTheFirst() {
        RtxConfigBinder.Binding b = bind("[rtc]\nport=0\n[rtm]\nport=65536\n[log]\nlevel=x\n");
        assertThat(b.errors()).hasSize(3);
    }

    @Test
    void sipServerAcceptsHostsIpv4AndBracketedIpv6WithOrWithoutPort() {
        assertThat(bind("[global]\nsip_svr=pbx.example.com").config().global().sipServer())
                .contains(new RtxConfig.HostPort("pbx.example.com", 5060));
        assertThat(bind("[global]\nsip_svr=127.0.0.1:5080").config().global().sipServer())
                .contains(new RtxConfig.HostPort("127.0.0.1", 5080));
        assertThat(bind("[global]\nsip_svr=[::1]:5062").config().global().sipServer())
                .contains(new RtxConfig.HostPort("::1", 5062));
        assertThat(bind("[global]\nsip_svr=[2001:db8::10]").config().global().sipServer())
                .contains(new RtxConfig.HostPort("2001:db8::10", 5060));
        assertThat(bind("[global]\nsip_svr=2001:db8::10").config().global().sipServer())
                .contains(new RtxConfig.HostPort("2001:db8::10", 5060));
    }

    @Test
    void theSipSideTakesIpv6AddressesBareOrInBrackets() {
        RtxConfigBinder.Binding b = bind("[global]\nsip_svr=[::1]:5060\nsip_local_ip=::1\npublic_ip=[2001:db8::10]\n"
                + "sip_trusted=2001:db8::/32\n[pstn]\nip=[2001:db8::20]\n");
        assertThat(b.errors()).isEmpty();
        RtxConfig.Global g = b.config().global();
        assertThat(g.sipLocalIp()).isEqualTo("::1");
        assertThat(g.publicIp()).contains("2001:db8::10");
        assertThat(g.sipTrusted()).containsExactly("2001:db8::/32");
        assertThat(b.config().pstn().ip()).contains("2001:db8::20");
        assertThat(bind("[global]\nsip_svr=[::1]\nsip_local_ip=[::1]").config().global().sipLocalIp()).isEqualTo("::1");
        // a wildcard bind serves both families (Java's sockets are dual-stack)
        assertThat(bind("[global]\nsip_svr=[::1]\nsip_local_ip=0.0.0.0").errors()).isEmpty();
        assertThat(bind("[global]\nsip_svr=127.0.0.1\nsip_local_ip=::").errors()).isEmpty();
    }

    @Test
    void codecNamesAreMatchedWithoutCaseAndKeepTheirOrder() {
        assertThat(bind("[media]\ncodecs=pcma,OPUS").config().media().codecs()).containsExactly("PCMA", "opus");
        assertThat(bind("[media]\ncodecs=g722,PCMU").config().media().codecs()).containsExactly("G722", "PCMU");
        assertThat(bind("[media]\npassthrough=NEVER").config().media().passthrough()).isEqualTo(RtxConfig.Passthrough.NEVER);
        assertThat(RtxConfig.defaults().media().passthrough()).isEqualTo(RtxConfig.Passthrough.PREFER);
    }

    @Test
    void rtpLatchingIsAutoOnOrOffWithoutCase() {
        assertThat(bind("[media]\nrtp_latching=OFF").config().media().rtpLatching()).isEqualTo(RtxConfig.RtpLatching.OFF);
        assertThat(bind("[media]\nrtp_latching=on").config().media().rtpLatching()).isEqualTo(RtxConfig.RtpLatching.ON);
        assertThat(bind("[media]\nrtp_latching=auto").config().media().rtpLatching()).isEqualTo(RtxConfig.RtpLatching.AUTO);
        RtxConfigBinder.Binding bad = bind("[media]\ncodecs=PCMU\nrtp_latching=sometimes\n");
        assertThat(bad.config()).isNull();
        assertThat(bad.errors()).extracting(ConfigProblem::toString)
                .containsExactly("rtx.conf:3: [media] rtp_latching: 'sometimes' is not one of auto, on, off");
    }

    @Test
    void mediaThreadsAndOpusEncoderSettings() {
        RtxConfig.Media d = RtxConfig.defaults().media();
        assertThat(d.ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(d.opusComplexity()).isEqualTo(5);
        assertThat(d.opusBitrate()).isZero();
        RtxConfig.Media m = bind("[media]\nio_threads=3\nopus_complexity=2\nopus_bitrate=24000\n").config().media();
        assertThat(m.ioThreads()).isEqualTo(3);
        assertThat(m.opusComplexity()).isEqualTo(2);
        assertThat(m.opusBitrate()).isEqualTo(24000);
        RtxConfigBinder.Binding bad = bind("[media]\nio_threads=-1\nopus_complexity=11\nopus_bitrate=100\n");
        assertThat(bad.config()).isNull();
        assertThat(bad.errors()).extracting(ConfigProblem::toString).containsExactly(
                "rtx.conf:2: [media] io_threads: -1 is out of range 0..256",
                "rtx.conf:3: [media] opus_complexity: 11 is out of range 0..10",
                "rtx.conf:4: [media] opus_bitrate: 100 is below libopus's minimum of 6000 bit/s (0 = automatic)");
    }

    @Test
    void switchesAcceptTheOriginalZeroAndOne() {
        String base = "[global]\nsip_svr=h\n[rtm2sip]\nacc_rule=1005\non=";
        assertThat(bind(base + "1").config().rtm2sip().on()).isTrue();
        assertThat(bind(base + "0").config().rtm2sip().on()).isFalse();
    }

    @Test
    void aLargeAccRuleStaysInOrder() {
        List<String> accounts = bind("[global]\nsip_svr=h\n[rtm2sip]\non=1\nacc_rule=5[0000-2999]").config().rtm2sip().accounts();
        assertThat(accounts).containsExactlyElementsOf(
                IntStream.range(0, 3000).mapToObj(i -> String.format("5%04d", i)).toList());
        assertThat(bind("").problems()).noneMatch(p -> p.severity() == Severity.ERROR);
    }
}
