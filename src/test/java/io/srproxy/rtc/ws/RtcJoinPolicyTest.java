package io.srproxy.rtc.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.Srproxy;
import io.srproxy.auth.LoginTokens;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.web.WebServer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** /rtc joins follow RTM's login policy: tokens with app_cert, never the gateway's own uids. */
class RtcJoinPolicyTest {

    private static Map<String, Object> join(String appId, String uid, String token, String sdp) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", "join");
        m.put("appId", appId);
        m.put("channel", "room");
        m.put("uid", uid);
        m.put("token", token);
        m.put("sdp", sdp);
        return m;
    }

    @Test
    void withAppCertAJoinNeedsAValidTokenForItsUid() throws Exception {
        String conf = "[global]\nappid=tok\napp_cert=s3cret\nsip_local_port=" + FreePorts.tcpAndUdp()
                + "\n[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n";
        LoginTokens mint = new LoginTokens("tok", "s3cret", Clock.systemUTC());
        try (Srproxy srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "tok.conf")).config());
             WsTestClient c = new WsTestClient(srproxy.webPort()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            c.send(join("tok", "alice", null, peer.offer()));
            JsonNode missing = c.next("error");
            assertThat(missing.path("code").asText()).isEqualTo("token-rejected");
            assertThat(missing.path("message").asText()).isEqualTo("a token is required");
            c.send(join("tok", "alice", mint.mint("bob", 600), peer.offer()));
            assertThat(c.next("error").path("message").asText()).isEqualTo("token was issued for another uid");
            c.send(join("tok", "alice", new LoginTokens("tok", "guess", Clock.systemUTC()).mint("alice", 600), peer.offer()));
            assertThat(c.next("error").path("message").asText()).contains("token signature does not match");
            assertThat(srproxy.rtc().channels().size()).as("no refused join left a member").isZero();

            c.send(join("tok", "alice", mint.mint("alice", 600), peer.offer()));
            assertThat(c.next("joined").path("uid").asText()).isEqualTo("alice");
        }
    }

    @Test
    void withoutAppCertRemoteJoinsMayNotTakeTheGatewaysUids() throws Exception {
        RtcService rtc = new RtcService(new RtcService.Options("127.0.0.1", "127.0.0.1", 0, 2, System::nanoTime,
                Duration.ofSeconds(5), false));
        RtcWebModule module = new RtcWebModule(rtc, "app1", LoginPolicy.of("app1", Set.of("1005"), Optional.empty()));
        try (rtc; module; WebServer web = new WebServer("127.0.0.1", 0, List.of(module)).start();
             WsTestClient c = new WsTestClient(web.port()); JavaWebRtcPeer peer = new JavaWebRtcPeer()) {
            c.send(join("app1", "1005", null, peer.offer()));
            JsonNode reserved = c.next("error");
            assertThat(reserved.path("code").asText()).isEqualTo("not-allowed");
            assertThat(reserved.path("message").asText()).contains("'1005' is reserved");
            c.send(join("app1", "sip~1001~ab12", null, peer.offer()));
            JsonNode perCall = c.next("error");
            assertThat(perCall.path("code").asText()).isEqualTo("not-allowed");
            assertThat(perCall.path("message").asText()).contains("'sip~'");

            c.send(join("app1", "alice", null, peer.offer()));
            assertThat(c.next("joined").path("uid").asText()).isEqualTo("alice");
        }
    }
}
