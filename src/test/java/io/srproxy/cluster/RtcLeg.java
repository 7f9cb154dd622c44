package io.srproxy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.rtc.webrtc.JavaWebRtcPeer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An app's media leg for the cluster drills: a /rtc WebSocket that follows {@code redirect}s as
 * srproxy-rtc.js does, a Java DTLS-SRTP peer, and one RTP packet every 20 ms (plus a consent
 * check every 2 s) until closed. {@link #received()} counts what the other member sent us.
 */
final class RtcLeg implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    /** Completes when the socket the leg joined on closes or fails (e.g. its node was killed). */
    final CompletableFuture<String> socketGone = new CompletableFuture<>();
    private final JavaWebRtcPeer peer = new JavaWebRtcPeer();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtc-leg-sender");
        t.setDaemon(true);
        return t;
    });
    private final long ssrc = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
    private volatile WebSocket ws;
    private volatile String joinedAt;
    private int seq;
    private long ts;

    /** What it sends: Opus (111, 960 samples a packet), or PCMU (0, 160) where a SIP leg passes PCMU through. */
    private final int payloadType;
    private final byte[] payload;
    private final int samples;

    private RtcLeg(int payloadType) throws IOException {
        this.payloadType = payloadType;
        this.payload = new byte[payloadType == PCMU ? 160 : 60];
        this.samples = payloadType == PCMU ? 160 : 960;
    }

    static final int OPUS = 111;
    static final int PCMU = 0;

    /** Joins {@code channel} as {@code uid} at {@code url} (following up to 3 redirects) and starts sending. */
    static RtcLeg join(String url, String channel, String uid) throws Exception {
        return join(url, channel, uid, OPUS);
    }

    /** As {@link #join(String, String, String)}, sending RTP of {@code payloadType} ({@link #OPUS} or {@link #PCMU}). */
    static RtcLeg join(String url, String channel, String uid, int payloadType) throws Exception {
        RtcLeg leg = new RtcLeg(payloadType);
        try {
            leg.joinAt(url, channel, uid, 0);
        } catch (Exception | AssertionError e) {
            leg.close();
            throw e;
        }
        return leg;
    }

    private void joinAt(String url, String channel, String uid, int redirects) throws Exception {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        WebSocket[] self = new WebSocket[1];
        self[0] = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode m = JSON.readTree(partial.toString());
                        frames.add(m);
                        String type = m.path("type").asText();
                        if (type.equals("joined") || type.equals("redirect") || type.equals("error")) {
                            answer.complete(m);
                        }
                    } catch (IOException e) {
                        answer.completeExceptionally(e);
                    }
                    partial.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                gone(w, "closed " + status);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                gone(w, "failed: " + error);
            }
        }).get(10, TimeUnit.SECONDS);
        ws = self[0];
        Map<String, Object> join = new HashMap<>();
        join.put("type", "join");
        join.put("appId", "srproxy");
        join.put("channel", channel);
        join.put("uid", uid);
        join.put("token", "");
        join.put("sdp", peer.offer());
        self[0].sendText(JSON.writeValueAsString(join), true).get(10, TimeUnit.SECONDS);
        JsonNode m = answer.get(10, TimeUnit.SECONDS);
        switch (m.path("type").asText()) {
            case "redirect" -> {
                if (redirects >= 3) {
                    throw new AssertionError("too many redirects: " + m);
                }
                self[0].sendClose(WebSocket.NORMAL_CLOSURE, "redirected");
                joinAt(m.path("url").asText(), channel, uid, redirects + 1);
            }
            case "joined" -> {
                joinedAt = url;
                peer.connect(m.path("sdp").asText());
                sender.scheduleAtFixedRate(this::tick, 0, 20, TimeUnit.MILLISECONDS);
            }
            default -> throw new AssertionError("join of " + uid + " at " + url + " failed: " + m);
        }
    }

    private void gone(WebSocket w, String why) {
        if (w == ws && joinedAt != null) {
            socketGone.complete(why);
        }
    }

    private void tick() {
        try {
            peer.sendRtp(payloadType, seq++ & 0xFFFF, ts, ssrc, payload, false);
            ts += samples;
            if (seq % 100 == 0) {
                peer.sendConsent();
            }
        } catch (IOException | RuntimeException e) {
            // the node went away or the leg is closing: keep ticking, the test decides
        }
    }

    /** The /rtc URL the leg joined at (after redirects). */
    String joinedAt() {
        return joinedAt;
    }

    /** RTP packets received from the channel so far. */
    int received() {
        return peer.rtpReceived.get();
    }

    @Override
    public void close() {
        sender.shutdownNow();
        WebSocket w = ws;
        if (w != null && !socketGone.isDone()) {
            w.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        peer.close();
    }
}
