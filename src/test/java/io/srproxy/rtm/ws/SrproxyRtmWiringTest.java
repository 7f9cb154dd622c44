package io.srproxy.rtm.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.rtm.RecordingListener;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmException;
import io.srproxy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** srproxy as started from rtx.conf: /rtm and /healthz on the [rtm] port, the appid from [global], an in-process client for the gateway. */
class SrproxyRtmWiringTest {

    @Test
    void rtmIsServedOnTheRtmPortWithTheConfiguredAppId() throws Exception {
        int port = FreePorts.tcpAndUdp();
        RtxConfig config = RtxConfigBinder.bind(RtxFile.parse("""
                [global]
                appid=wired-app
                [rtm]
                ip=127.0.0.1
                port=%d
                [rtc]
                ip=127.0.0.1
                port=%d
                """.formatted(port, FreePorts.tcpAndUdp()), "test.conf")).config();
        try (Srproxy srproxy = Srproxy.start(config)) {
            assertThat(srproxy.webPort()).isEqualTo(port);
            RecordingListener gatewaySeen = new RecordingListener();
            RtmClient gateway = srproxy.rtm().createClient(gatewaySeen);
            gateway.login("1086", null).get(10, TimeUnit.SECONDS);

            URI rtm = URI.create("ws://127.0.0.1:" + port + "/rtm");
            RtmClient app = WsRtmClient.create(rtm, "wired-app", new RecordingListener());
            app.login("app-user", null).get(10, TimeUnit.SECONDS);
            app.sendMessageToPeer("1086", "{\"Cmd\":\"CallState\"}").get(10, TimeUnit.SECONDS);
            gatewaySeen.awaitEvent("message app-user: {\"Cmd\":\"CallState\"}");

            RtmClient wrong = WsRtmClient.create(rtm, "srproxy", new RecordingListener());
            try {
                wrong.login("x", null).get(10, TimeUnit.SECONDS);
                throw new AssertionError("login with the wrong appid succeeded");
            } catch (ExecutionException e) {
                assertThat(((RtmException) e.getCause()).error()).isEqualTo(RtmError.INVALID_APP_ID);
            }

            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"rtm\"").contains("2 users online");
            app.close();
            gateway.close();
        }
    }
}
