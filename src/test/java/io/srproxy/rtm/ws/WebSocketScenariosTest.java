package io.srproxy.rtm.ws;

import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.RtmScenarios;
import io.srproxy.web.WebServer;
import java.net.URI;
import java.util.List;

/** The scenario suite over the WebSocket client against the /rtm endpoint on a loopback port. */
class WebSocketScenariosTest extends RtmScenarios {

    private WebServer web;
    private URI uri;

    @Override
    protected void startTransport() {
        // the scenarios send bursts (20 invitation rounds in well under a second); the request-rate
        // limit has its own tests (RtmLimitsTest, LimitsTest) and must not drop requests here
        web = new WebServer("127.0.0.1", 0, List.of(new RtmWebSocket(service, new RtmWebSocket.Limits(10_000, 1_000_000)))).start();
        uri = URI.create("ws://127.0.0.1:" + web.port() + RtmWebSocket.PATH);
    }

    @Override
    protected void stopTransport() {
        web.close();
    }

    @Override
    protected RtmClient newClient(String appId, RtmListener listener) {
        return WsRtmClient.create(uri, appId, listener);
    }
}
