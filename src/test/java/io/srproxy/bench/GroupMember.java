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
 * answer's SSRCs handed to the peer so that each publisher's stream is counted apart. With video,
 * it publishes {@link LoadPeers.Peer#sendVideo} video too and subscribes to others' video alike.
 */
final class GroupMember {

    private final String uid;
    private final LoadPeers.Peer peer;
    private final int[] video; // packets per 20 ms and their payload bytes; null: audio only
    private final Map<String, String> midOf = new LinkedHashMap<>(); // subscribed track (uid, or uid/video) -> mid
    private final Map<String, Long> ssrcOf = new HashMap<>();        // track -> SSRC last expected
    private final List<String> mids = new ArrayList<>();              // every receiving m-line made, in order
    private final java.util.Set<String> videoMids = new java.util.HashSet<>();
    private final Map<String, Deque<String>> freeMids = Map.of("audio", new ArrayDeque<>(), "video", new ArrayDeque<>());
    private volatile WebSocket ws;
    private volatile boolean connected;
    private volatile String failure;
    private boolean offering;
    private boolean dirty;
    private int answers;

    private GroupMember(String uid, LoadPeers.Peer peer, int[] video) {
        this.uid = uid;
        this.peer = peer;
        this.video = video;
    }

    /** Opens the socket and sends the join; the rest (DTLS, publish, subscriptions) follows by itself. */
    static GroupMember join(HttpClient http, int webPort, String appId, String channel, String uid, LoadPeers peers)
            throws Exception {
        return join(http, webPort, appId, channel, uid, peers, 0, 0);
    }

    /** Like the above, with video: {@code videoPackets} packets of {@code videoBytes} every 20 ms (0: audio only). */
    static GroupMember join(HttpClient http, int webPort, String appId, String channel, String uid, LoadPeers peers,
                            int videoPackets, int videoBytes) throws Exception {
        GroupMember m = new GroupMember(uid, peers.newPeer(), videoPackets > 0 ? new int[] {videoPackets, videoBytes} : null);
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

    /** The tracks this member subscribes to now: uids (audio), uid/video (video). */
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
                if (video != null) {
                    peer.sendVideo(video[0], video[1]);
                    send(Map.of("type", "publish", "mediaType", "video"));
                }
                peer.connect(m.path("sdp").asText()).whenComplete((ok, e) -> {
                    if (e != null) {
                        fail("dtls: " + e);
                    } else {
                        connected = true;
                    }
                });
                for (JsonNode u : m.path("users")) {
                    if (u.path("audio").asBoolean()) {
                        want(u.path("uid").asText(), "audio");
                    }
                    if (u.path("video").asBoolean()) {
                        want(u.path("uid").asText(), "video");
                    }
                }
            }
            case "user-published" -> want(m.path("uid").asText(), m.path("mediaType").asText());
            case "user-unpublished" -> unwant(m.path("uid").asText(), m.path("mediaType").asText());
            case "user-left" -> {
                unwant(m.path("uid").asText(), "audio");
                unwant(m.path("uid").asText(), "video");
            }
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

    /** A track's key: the uid for audio, uid/video for video (also the label of its stream). */
    private static String track(String uid, String kind) {
        return kind.equals("video") ? uid + "/video" : uid;
    }

    private synchronized void want(String other, String kind) {
        String track = track(other, kind);
        boolean takes = kind.equals("audio") || (kind.equals("video") && video != null);
        if (!takes || other.equals(uid) || midOf.containsKey(track)) {
            return;
        }
        String mid = freeMids.get(kind).pollFirst(); // an m-line keeps its kind
        if (mid == null) {
            mid = Integer.toString(mids.size() + 2); // 0 and 1 are the join's
            mids.add(mid);
            if (kind.equals("video")) {
                videoMids.add(mid);
            }
        }
        midOf.put(track, mid);
        renegotiate();
    }

    private synchronized void unwant(String other, String kind) {
        String track = track(other, kind);
        String mid = midOf.remove(track);
        if (mid != null) {
            freeMids.get(kind).addLast(mid);
            ssrcOf.remove(track);
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
        midOf.forEach((t, mid) -> {
            boolean v = videoMids.contains(mid);
            subs.add(Map.of("mid", mid, "uid", v ? t.substring(0, t.length() - "/video".length()) : t,
                    "mediaType", v ? "video" : "audio"));
        });
        send(Map.of("type", "offer", "sdp", peer.offer(mids, videoMids), "subscriptions", subs));
    }

    private synchronized void answered(JsonNode subscriptions) {
        answers++;
        for (JsonNode s : subscriptions) {
            boolean v = s.path("mediaType").asText().equals("video");
            String t = track(s.path("uid").asText(), v ? "video" : "audio");
            long ssrc = s.path("ssrc").asLong(-1);
            if (ssrc >= 0 && midOf.containsKey(t) && !Long.valueOf(ssrc).equals(ssrcOf.get(t))) {
                ssrcOf.put(t, ssrc);
                if (v) {
                    peer.expectVideo(ssrc, t);
                } else {
                    peer.expect(ssrc, t);
                }
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
