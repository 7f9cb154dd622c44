package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.media.PayloadFormat;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.UdpSipServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SIP side over IPv6: a phone's {@code c=IN IP6} SDP (session or media level, {@code a=rtcp}
 * with an IPv6 address), our SDP and URIs with IPv6 hosts ({@code c=IN IP6 ::1}, {@code [::1]:port}),
 * and what an agent bound to ::1 puts on the wire toward a server on [::1].
 */
class Ipv6SipTest {

    private static final String LINPHONE_IPV6_OFFER = String.join("\r\n",
            "v=0",
            "o=1005 3102 1024 IN IP6 2001:db8::5",
            "s=Talk",
            "c=IN IP6 2001:db8::5",
            "t=0 0",
            "m=audio 7078 RTP/AVP 0 8 101",
            "a=rtpmap:101 telephone-event/8000",
            "a=rtcp:7079 IN IP6 2001:db8::6",
            "a=sendrecv",
            "");

    @Test
    void aPhonesIpv6OfferIsReadWithItsRtpAndRtcpAddresses() throws SdpException {
        MediaDescription d = Sdp.parse(LINPHONE_IPV6_OFFER);
        assertThat(d.sessionAddress()).isEqualTo("2001:db8::5");
        assertThat(d.rtp()).isEqualTo(new InetSocketAddress(ip("2001:db8::5"), 7078));
        assertThat(d.rtcp()).isEqualTo(new InetSocketAddress(ip("2001:db8::6"), 7079));
        assertThat(d.codecs()).extracting(PayloadFormat::name).containsExactly("PCMU", "PCMA", "telephone-event");
        assertThat(d.effectiveDirection()).isEqualTo(MediaDirection.SENDRECV);
    }

    @Test
    void aMediaLevelIpv6ConnectionOverridesTheSessionOne() throws SdpException {
        String sdp = String.join("\r\n", "v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "c=IN IP6 ::1", "");
        assertThat(Sdp.parse(sdp).rtp()).isEqualTo(new InetSocketAddress(ip("::1"), 4000));
    }

    @Test
    void anIpv6HoldAddressIsInactive() throws SdpException {
        String sdp = String.join("\r\n", "v=0", "o=- 1 1 IN IP6 ::", "s=-", "c=IN IP6 ::", "t=0 0", "m=audio 4000 RTP/AVP 0", "");
        assertThat(Sdp.parse(sdp).effectiveDirection()).isEqualTo(MediaDirection.INACTIVE);
    }

    @Test
    void anIpv6ConnectionAddressMustBeALiteral() {
        String named = String.join("\r\n", "v=0", "o=- 1 1 IN IP6 ::1", "s=-", "c=IN IP6 phone.example", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "");
        assertThatThrownBy(() -> Sdp.parse(named)).isInstanceOf(SdpException.class).hasMessageContaining("not an IP address");
        String broken = named.replace("phone.example", "::1::2");
        assertThatThrownBy(() -> Sdp.parse(broken)).isInstanceOf(SdpException.class);
    }

    @Test
    void negotiationKeepsThePhonesIpv6Address() throws SdpException {
        NegotiatedMedia m = OfferAnswer.fromConfig(List.of("PCMU")).negotiate(Sdp.parse(LINPHONE_IPV6_OFFER),
                MediaDirection.SENDRECV, true);
        assertThat(m.audio()).isEqualTo(PayloadFormat.PCMU);
        assertThat(m.remote().rtp().getAddress()).isEqualTo(ip("2001:db8::5"));
    }

    @Test
    void ourSdpOnAnIpv6AddressSaysIp6AndReadsBack() throws SdpException {
        String sdp = Sdp.write("::1", 30000, List.of(PayloadFormat.PCMU, PayloadFormat.TELEPHONE_EVENT_8K), 20, MediaDirection.SENDRECV,
                false, 7, 8);
        assertThat(sdp).contains("o=srproxy 7 8 IN IP6 ::1", "c=IN IP6 ::1", "m=audio 30000 RTP/AVP 0 101")
                .doesNotContain("IP4");
        assertThat(Sdp.parse(sdp).rtp()).isEqualTo(new InetSocketAddress(ip("::1"), 30000));
    }

    @Test
    void ipv6HostsAreBracketedInUrisOnce() {
        assertThat(SipRequests.hostForUri("::1")).isEqualTo("[::1]");
        assertThat(SipRequests.hostForUri("[2001:db8::10]")).isEqualTo("[2001:db8::10]");
        assertThat(SipRequests.hostForUri("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(SipRequests.hostForUri("pbx.example.com")).isEqualTo("pbx.example.com");
    }

    @Test
    void ipv6AddressesAreWrittenInTheirShortForm() throws Exception {
        assertThat(IpText.of(ip("::1"))).isEqualTo("::1");
        assertThat(IpText.of(ip("::"))).isEqualTo("::");
        assertThat(IpText.of(ip("2001:0db8:0:0:0:0:0:10"))).isEqualTo("2001:db8::10");
        assertThat(IpText.of(ip("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1"); // the longer zero run
        assertThat(IpText.of(ip("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1"); // the first of equal runs
        assertThat(IpText.of(ip("1:2:3:4:5:6:7:8"))).isEqualTo("1:2:3:4:5:6:7:8");
        assertThat(IpText.of(ip("fe80::1"))).isEqualTo("fe80::1");
        assertThat(IpText.of(ip("192.0.2.1"))).isEqualTo("192.0.2.1");
    }

    /** A plain UDP socket on [::1] stands where the SIP server would be. */
    @ParameterizedTest(name = "bound to {0}")
    @ValueSource(strings = {"::1", "0.0.0.0"}) // 0.0.0.0: Java's sockets are dual-stack, we name the address toward the server
    void anAgentNamesItselfInBracketsTowardAnIpv6ServerAndOffersIp6(String bind) {
        try (UdpSipServer server = UdpSipServer.on(ip("::1"));
             SipTestAgent agent = SipTestAgent.start(SipTestAgent.settingsOn("::1", bind, server.port(), "1000", "1234", ""))) {
            int port = agent.agent().port();
            agent.register();
            assertThat(server.awaitMessage("REGISTER ")).startsWith("REGISTER sip:[::1]:" + server.port() + " SIP/2.0")
                    .containsPattern("Via: SIP/2.0/UDP \\[::1\\]:" + port + ";.*rport")
                    .contains("Contact: <sip:1000@[::1]:" + port + ">", "To: <sip:1000@[::1]:" + server.port() + ">");
            agent.call("1005", "Alice", Map.of());
            assertThat(server.awaitMessage("INVITE ")).startsWith("INVITE sip:1005@[::1]:" + server.port() + " SIP/2.0")
                    .contains("c=IN IP6 ::1", "Contact: <sip:1000@[::1]:" + port + ">")
                    .doesNotContain("IP4", "[0:0:0:0:0:0:0:1]", "IP6 0:0:0:0:0:0:0:1");
        }
    }

    /** RTP sockets bound to an IPv4 address cannot reach an IPv6 phone: 488 at once, not a silent call. */
    @Test
    void anIpv6OfferToAnAgentBoundToIpv4IsRefused488() throws Exception {
        try (UdpSipServer server = UdpSipServer.on(ip("127.0.0.1"));
             SipTestAgent agent = SipTestAgent.start(SipTestAgent.settings(server.port(), "1000", "1234", ""))) {
            String sdp = LINPHONE_IPV6_OFFER.replace("2001:db8::5", "::1").replace("2001:db8::6", "::1");
            String invite = "INVITE sip:01001@127.0.0.1:" + agent.agent().port() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + server.port() + ";branch=z9hG4bKv6offer;rport\r\n"
                    + "From: <sip:1005@127.0.0.1>;tag=1\r\nTo: <sip:01001@127.0.0.1>\r\nCall-ID: v6offer@test\r\n"
                    + "CSeq: 1 INVITE\r\nContact: <sip:1005@127.0.0.1:" + server.port() + ">\r\nMax-Forwards: 70\r\n"
                    + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
            byte[] bytes = invite.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            server.socket().send(new java.net.DatagramPacket(bytes, bytes.length,
                    new InetSocketAddress(ip("127.0.0.1"), agent.agent().port())));
            assertThat(server.awaitMessage("SIP/2.0 4")).startsWith("SIP/2.0 488");
            assertThat(agent.incoming).isEmpty();
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
