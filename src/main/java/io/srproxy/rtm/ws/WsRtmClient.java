package io.srproxy.rtm.ws;

import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmClientCore;
import io.srproxy.rtm.RtmListener;
import java.net.URI;

/** An {@link RtmClient} that talks to an srproxy's /rtm WebSocket; it behaves as the in-process one. */
public final class WsRtmClient {

    private WsRtmClient() {}

    /** {@code uri} like {@code ws://127.0.0.1:7080/rtm}; connects at login. */
    public static RtmClient create(URI uri, String appId, RtmListener listener) {
        return new RtmClientCore(appId, new WsRtmTransport(uri), listener);
    }
}
