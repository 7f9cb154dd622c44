package io.srproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.rtc.webrtc.LoadPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One member of a group channel as the browser SDK makes it (docs/protocol.md, "Renegotiation"):
 * a /rtc WebSocket joining multistream with a {@link LoadPeers.Peer}, publishing its audio, and
 * subscribing to every other member's audio as it is published: one {@code recvonly} audio m-line
 * per publisher (an m-line freed by a member that left is re-used), one offer at a time, the
 * answer's SSRCs handed to the peer so that each publisher's stream is counted apart.
 */
final class GroupMember {

    private final String uid;
    private final LoadPeers.Peer peer;
    private final Map<String, String> midOf = new LinkedHashMap<>(); // subscribed uid -> mid
    private final Map<String, Long> ssrcOf = new HashMap<>();        // uid -> SSRC last expected
    private final List<String> mids = new ArrayList<>();              // every receiving m-line made, in order
    private final Deque<String> freeMids = new ArrayDeque<>();
    private volatile WebSocket ws;
    private volatile boolean connected;
    private volatile String failure;
    private boolean offering;
    private boolean dirty;
    private int answers;

    private GroupMember(String uid, LoadPeers.Peer peer) {
        this.uid = uid;
        this.peer = peer;
    }

    /** Opens the socket and sends the join; the rest (DTLS, publish, subscriptions) follows by itself. */
    static GroupMember join(HttpClient http, int webPort, String appId, String channel, String uid, LoadPeers peers)
            throws Exception {
        GroupMember m = new GroupMember(uid, peers.newPeer());
        m.ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + webPort + "/rtc"),
                JsonFrames.json(m::onFrame, why -> m.fail("rtc " + why))        ).get(10, TimeUnit.SECONDS);
        m.send(Map.of("type", "join", "appId", appId, "channel", channel, "uid", uid, "token", "",
                "multistream", true, "sdp", m.peer.offer()));
        return m;
    }

    String uid() {
        return uid;
    }

    /** DTLS-SRTP is up. */
    boolean connected() {
        return connected;
    }

    /** Why this member failed (an error frame, a DTLS failure), or null. */
    String failure() {
        return failure;
    }

    /** How many publishers' streams have brought at least one packet (every SSRC expected so far). */
    int streamsWithMedia() {
        return peer.streamsWithMedia();
    }

    /** Each publisher's stream so far, as this member's peer counts it. */
    List<LoadPeers.StreamStats> streamStats() throws Exception {
        return peer.streamStats().get(5, TimeUnit.SECONDS);
    }

    /** A measuring window begins: see {@link LoadPeers.Peer#mark()}. */
    void mark() {
        peer.mark();
    }

    /** The uids this member subscribes to now. */
    synchronized List<String> subscribed() {
        return List.copyOf(midOf.keySet());
    }

    /** Answers to this member's offers so far. */
    synchronized int answers() {
        return answers;
    }

    private void onFrame(JsonNode m) {
        switch (m.path("type").asText()) {
            case "joined" -> {
                send(Map.of("type", "publish", "mediaType", "audio"));
                peer.connect(m.path("sdp").asText()).whenComplete((ok, e) -> {
                    if (e != null) {
                        fail("dtls: " + e);
                    } else {
                        connected = true;
                    }
                });
                for (JsonNode u : m.path("users")) {
                    if (u.path("audio").asBoolean()) {
                        want(u.path("uid").asText());
                    }
                }
            }
            case "user-published" -> {
                if (m.path("mediaType").asText().equals("audio")) {
                    want(m.path("uid").asText());
                }
            }
            case "user-unpublished" -> {
                if (m.path("mediaType").asText().equals("audio")) {
                    unwant(m.path("uid").asText());
                }
            }
            case "user-left" -> unwant(m.path("uid").asText());
            case "answer" -> answered(m.path("subscriptions"));
            case "error" -> fail("rtc " + m.path("request").asText() + " " + m.path("code").asText() + ": "
                    + m.path("message").asText());
            case "connection-state" -> {
                if (m.path("state").asText().equals("FAILED")) {
                    fail("rtc FAILED " + m.path("reason").asText());
                }
            }
            default -> { }
        }
    }

    private synchronized void want(String other) {
        if (other.equals(uid) || midOf.containsKey(other)) {
            return;
        }
        String mid = freeMids.pollFirst();
        if (mid == null) {
            mid = Integer.toString(mids.size() + 2); // 0 and 1 are the join's
            mids.add(mid);
        }
        midOf.put(other, mid);
        renegotiate();
    }

    private synchronized void unwant(String other) {
        String mid = midOf.remove(other);
        if (mid != null) {
            freeMids.addLast(mid);
            ssrcOf.remove(other);
            renegotiate();
        }
    }

    /** One offer at a time: a change while one is out is sent once its answer is in. */
    private synchronized void renegotiate() {
        if (offering) {
            dirty = true;
            return;
        }
        offering = true;
        dirty = false;
        List<Map<String, String>> subs = new ArrayList<>();
        midOf.forEach((u, mid) -> subs.add(Map.of("mid", mid, "uid", u, "mediaType", "audio")));
        send(Map.of("type", "offer", "sdp", peer.offer(mids), "subscriptions", subs));
    }

    private synchronized void answered(JsonNode subscriptions) {
        answers++;
        for (JsonNode s : subscriptions) {
            String u = s.path("uid").asText();
            long ssrc = s.path("ssrc").asLong(-1);
            if (ssrc >= 0 && midOf.containsKey(u) && !Long.valueOf(ssrc).equals(ssrcOf.get(u))) {
                ssrcOf.put(u, ssrc);
                peer.expect(ssrc, u);
            }
        }
        offering = false;
        if (dirty) {
            renegotiate();
        }
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        synchronized (this) {
            offering = false; // a refused offer: the next change tries again
        }
    }

    private void send(Map<String, Object> message) {
        JsonFrames.send(ws, message, why -> fail("rtc " + why));
    }

    /** Leaves (the /rtc "leave", then the socket closes) and ends the peer: its statistics. */
    LoadPeers.Stats leave() throws Exception {
        send(Map.of("type", "leave"));
        WebSocket w = ws;
        if (w != null) {
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closed already
            }
        }
        return peer.close().get(10, TimeUnit.SECONDS);
    }
}
