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
        RtcService rtc = new RtcService(new RtcService.Options("127.0.0.1", "192.0.2.99", fromSignalling, 0, 1,
                System::nanoTime, Duration.ofSeconds(5), false));
        RtcWebModule module = new RtcWebModule(rtc, "app1");
        try (WebServer web = new WebServer("127.0.0.1", 0, List.of(module)).start();
             WsTestClient c = new WsTestClient(web.port()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            c.send(Map.of("type", "join", "appId", "app1", "channel", "c", "uid", "u", "token", "", "sdp", peer.offer()));
            String sdp = c.next("joined").path("sdp").asText();
            return sdp.lines().filter(l -> l.startsWith("a=candidate:")).findFirst().orElseThrow();
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
}
