package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.web.WebServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With no [rtc] ip or public_ip, the answer's candidate is the address the client reached srproxy
 * at (here loopback), not a guessed interface address; a configured address always wins.
 * (The peers never send media here: only the answers are read.)
 */
class AdvertisedAddressTest {

    private static String candidateOf(boolean fromSignalling) throws Exception {
        return candidatesOf("127.0.0.1", "192.0.2.99", fromSignalling, "127.0.0.1").stream()
                .filter(l -> l.startsWith("a=candidate:")).findFirst().orElseThrow();
    }

    /** The answer's candidate lines for a client that reached the signalling port at {@code webHost}. */
    private static List<String> candidatesOf(String bind, String advertised, boolean fromSignalling, String webHost)
            throws Exception {
        RtcService rtc = new RtcService(new RtcService.Options(bind, advertised, fromSignalling, 0, 1,
                System::nanoTime, Duration.ofSeconds(5), false));
        RtcWebModule module = new RtcWebModule(rtc, "app1");
        try (WebServer web = new WebServer(webHost, 0, List.of(module)).start();
             WsTestClient c = new WsTestClient(webHost, web.port()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            c.send(Map.of("type", "join", "appId", "app1", "channel", "c", "uid", "u", "token", "", "sdp", peer.offer()));
            String sdp = c.next("joined").path("sdp").asText();
            return sdp.lines().filter(l -> l.startsWith("a=candidate:") || l.startsWith("c=")).distinct().toList();
        } finally {
            module.close();
            rtc.close();
        }
    }

    @Test
    void withoutAConfiguredAddressTheAnswerAdvertisesTheAddressTheClientReached() throws Exception {
        assertThat(candidateOf(true)).contains(" 127.0.0.1 ").contains("typ host");
    }

    @Test
    void aConfiguredAddressIsAdvertisedAsItIs() throws Exception {
        assertThat(candidateOf(false)).contains(" 192.0.2.99 ");
    }

    @Test
    void aClientOnIpv6IsAnsweredInIp6WithTheAddressItReached() throws Exception {
        assertThat(candidatesOf("::1", "::1", true, "::1")).contains("c=IN IP6 0:0:0:0:0:0:0:1")
                .anyMatch(l -> l.startsWith("a=candidate:1 ") && l.contains(" 0:0:0:0:0:0:0:1 "))
                .noneMatch(l -> l.contains("IN IP4"));
    }

    @Test
    void bothConfiguredFamiliesAreOfferedTheClientsFamilyFirst() throws Exception {
        List<String> lines = candidatesOf("::1", "192.0.2.99,2001:db8::99", false, "::1");
        assertThat(lines).contains("c=IN IP6 2001:db8::99");
        List<String> candidates = lines.stream().filter(l -> l.startsWith("a=candidate:")).toList();
        assertThat(candidates).hasSize(2);
        assertThat(candidates.get(0)).startsWith("a=candidate:1 ").contains(" 2001:db8::99 ");
        assertThat(candidates.get(1)).startsWith("a=candidate:2 ").contains(" 192.0.2.99 ");
    }
}
