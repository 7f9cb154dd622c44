package io.srproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.rtc.webrtc.LoadPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One accepted call on the app side: a /rtc WebSocket joining the invitation's channel with a
 * {@link LoadPeers.Peer}'s offer, DTLS-SRTP, then media until the gateway ends the call.
 */
final class AppCall {

    /** How one call went on the app side. */
    record Result(String uid, long invitedNs, long connectedNs, long endedNs, String endReason, LoadPeers.Stats media) {
        boolean connected() {
            return connectedNs > 0;
        }

        /** Invitation received -> DTLS-SRTP up, in ms; -1 if it never came up. */
        double setupMs() {
            return connectedNs > 0 ? (connectedNs - invitedNs) / 1e6 : -1;
        }
    }

    private final String uid;
    private final String channel;
    private final String appId;
    private final int webPort;
    private final HttpClient http;
    private final LoadPeers peers;
    private final long invitedNs;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile LoadPeers.Peer peer;
    private volatile WebSocket ws;
    private volatile long connectedNs;
    private Consumer<Result> onEnd;

    AppCall(String uid, String channel, String appId, int webPort, HttpClient http, LoadPeers peers, long invitedNs) {
        this.uid = uid;
        this.channel = channel;
        this.appId = appId;
        this.webPort = webPort;
        this.http = http;
        this.peers = peers;
        this.invitedNs = invitedNs;
    }

    boolean mediaConnected() {
        return connectedNs > 0 && !ended.get();
    }

    void start(Consumer<Result> onEnd) {
        this.onEnd = onEnd;
        try {
            peer = peers.newPeer();
        } catch (Exception e) {
            end("peer: " + e);
            return;
        }
        http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + webPort + "/rtc"),
                JsonFrames.json(this::onFrame, why -> end("rtc " + why))        ).whenComplete((w, e) -> {
            if (e != null) {
                end("rtc connect: " + e);
                return;
            }
            ws = w;
            send(Map.of("type", "join", "appId", appId, "channel", channel, "uid", uid, "token", "", "sdp", peer.offer()));
        });
    }

    private void onFrame(JsonNode m) {
        switch (m.path("type").asText()) {
            case "joined" -> {
                send(Map.of("type", "publish", "mediaType", "audio"));
                peer.connect(m.path("sdp").asText()).whenComplete((ok, e) -> {
                    if (e != null) {
                        end("dtls: " + e.getMessage());
                    } else {
                        connectedNs = System.nanoTime();
                    }
                });
            }
            case "error" -> end("rtc " + m.path("code").asText() + ": " + m.path("message").asText());
            case "user-left" -> end("user-left " + m.path("reason").asText());
            case "connection-state" -> {
                if (m.path("state").asText().equals("FAILED")) {
                    end("rtc FAILED " + m.path("reason").asText());
                }
            }
            default -> { }
        }
    }

    private void send(Map<String, Object> message) {
        JsonFrames.send(ws, message, why -> end("rtc " + why));
    }

    /** Ends the call once: leaves /rtc, closes the peer, reports. */
    void end(String reason) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        long endedNs = System.nanoTime();
        WebSocket w = ws;
        if (w != null) {
            w.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        LoadPeers.Peer p = peer;
        if (p == null) {
            onEnd.accept(new Result(uid, invitedNs, connectedNs, endedNs, reason, new LoadPeers.Stats(0, 0, 0, 0, 0, 0, 0)));
            return;
        }
        p.close().thenAccept(stats -> onEnd.accept(new Result(uid, invitedNs, connectedNs, endedNs, reason, stats)));
    }
}
