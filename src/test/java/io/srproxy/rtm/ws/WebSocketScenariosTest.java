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
        web = new WebServer("127.0.0.1", 0, List.of(new RtmWebSocket(service))).start();
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
