package io.srproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.srproxy.rtc.webrtc.LoadPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Janus side of the load: M users, each a Janus session with a janus.plugin.sip handle
 * registered at the test Kamailio as SIP user &lt;uid&gt; (password 1234), all over one WebSocket
 * to Janus's API. When sipp calls &lt;uid&gt;, Janus's SIP plugin sends "incomingcall" with a WebRTC
 * offer carrying the SIP leg's codec (PCMU: the plugin relays, it does not transcode); the user
 * answers with a {@link LoadPeers} peer sending PCMU (ICE controlled, DTLS client) and accepts.
 * The call ends when Janus reports the SIP hangup (sipp's BYE) or the PeerConnection's.
 */
final class JanusFleet implements CallSide {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int sipServerPort;
    private final LoadPeers peers;
    private final WebSocket ws;
    private final Object sendLock = new Object();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "janus-events");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong transactions = new AtomicLong();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<Long, User> byHandle = new ConcurrentHashMap<>();
    private final Map<String, Call> live = new ConcurrentHashMap<>(); // by uid
    private final ConcurrentLinkedQueue<AppCall.Result> results = new ConcurrentLinkedQueue<>();

    JanusFleet(int wsPort, int sipServerPort, LoadPeers peers) {
        this.sipServerPort = sipServerPort;
        this.peers = peers;
        ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("janus-protocol")
                .buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/"),
                        new JsonFrames(this::onMessage, why -> System.err.println("janus websocket: " + why))                ).join();
    }

    /** Creates a session and a SIP handle per uid and registers them; at most 32 in flight. */
    void register(List<String> uids) throws Exception {
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (String uid : uids) {
            inFlight.add(new User(uid).register());
            if (inFlight.size() == 32) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @Override
    public int live() {
        return live.size();
    }

    @Override
    public int connected() {
        return (int) live.values().stream().filter(Call::mediaConnected).count();
    }

    @Override
    public List<AppCall.Result> drainResults() {
        return CallSide.drain(results);
    }

    /** A request with a transaction; completes with Janus's "success" or "ack", fails with its "error". */
    private CompletableFuture<JsonNode> request(ObjectNode message) {
        String tx = "t" + transactions.incrementAndGet();
        message.put("transaction", tx);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(tx, reply);
        send(message);
        return reply.orTimeout(30, TimeUnit.SECONDS);
    }

    private void send(ObjectNode message) {
        if (!message.has("transaction")) {
            message.put("transaction", "t" + transactions.incrementAndGet());
        }
        try {
            String text = JSON.writeValueAsString(message);
            synchronized (sendLock) { // one text frame at a time on a java.net.http WebSocket
                ws.sendText(text, true).join();
            }
        } catch (Exception e) {
            throw new IllegalStateException("janus websocket send: " + e, e);
        }
    }

    private void onMessage(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (Exception e) {
            System.err.println("janus: unparsable message " + text);
            return;
        }
        String kind = m.path("janus").asText();
        CompletableFuture<JsonNode> reply = switch (kind) {
            case "success", "ack", "error" -> pending.remove(m.path("transaction").asText());
            default -> null;
        };
        if (reply != null) {
            if (kind.equals("error")) {
                reply.completeExceptionally(new IllegalStateException("janus error " + m.path("error")));
            } else {
                reply.complete(m);
            }
            return;
        }
        User u = byHandle.get(m.path("sender").asLong());
        if (u != null) {
            events.execute(() -> u.onEvent(kind, m));
        }
    }

    private ObjectNode message(User u, ObjectNode body) {
        ObjectNode m = JSON.createObjectNode().put("janus", "message").put("session_id", u.session).put("handle_id", u.handle);
        m.set("body", body);
        return m;
    }

    /** One Janus session + SIP plugin handle, registered as SIP user uid. */
    private final class User {
        private final String uid;
        private final CompletableFuture<Void> registered = new CompletableFuture<>();
        private volatile long session;
        private volatile long handle;

        User(String uid) {
            this.uid = uid;
        }

        CompletableFuture<Void> register() {
            return request(JSON.createObjectNode().put("janus", "create")).thenCompose(r -> {
                session = r.path("data").path("id").asLong();
                return request(JSON.createObjectNode().put("janus", "attach").put("session_id", session)
                        .put("plugin", "janus.plugin.sip"));
            }).thenCompose(r -> {
                handle = r.path("data").path("id").asLong();
                byHandle.put(handle, this);
                String server = "127.0.0.1:" + sipServerPort;
                return request(message(this, JSON.createObjectNode().put("request", "register")
                        .put("username", "sip:" + uid + "@" + server).put("secret", "1234")
                        .put("proxy", "sip:" + server)));
            }).thenCompose(ack -> registered.orTimeout(30, TimeUnit.SECONDS));
        }

        /** On the events thread. */
        void onEvent(String kind, JsonNode m) {
            Call call = live.get(uid);
            switch (kind) {
                case "event" -> {
                    JsonNode data = m.path("plugindata").path("data");
                    JsonNode result = data.path("result");
                    switch (result.path("event").asText()) {
                        case "registered" -> registered.complete(null);
                        case "registration_failed" -> registered.completeExceptionally(new IllegalStateException(
                                "janus: " + uid + " did not register: " + result.path("code").asText() + " " + result.path("reason").asText()));
                        case "incomingcall" -> incoming(m.path("jsep").path("sdp").asText());
                        case "hangup" -> {
                            if (call != null) {
                                call.end("sip hangup " + result.path("code").asText() + " " + result.path("reason").asText());
                            }
                        }
                        default -> {
                            if (data.has("error") && call != null) {
                                call.end("janus sip error " + data.path("error_code").asText() + ": " + data.path("error").asText());
                            } else if (data.has("error")) {
                                registered.completeExceptionally(new IllegalStateException("janus: " + uid + ": " + data.path("error").asText()));
                            }
                        }
                    }
                }
                case "hangup" -> {
                    if (call != null) {
                        call.end("janus hangup " + m.path("reason").asText());
                    }
                }
                case "detached", "timeout" -> {
                    if (call != null) {
                        call.end("janus " + kind);
                    }
                }
                default -> { } // webrtcup, media, slowlink, trickle
            }
        }

        private void incoming(String offer) {
            Call call = new Call(this, System.nanoTime());
            Call prev = live.put(uid, call);
            if (prev != null) {
                prev.end("replaced");
            }
            call.start(offer);
        }
    }

    /** One incoming call answered by a WebRTC peer. */
    private final class Call {
        private final User user;
        private final long invitedNs;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile LoadPeers.Peer peer;
        private volatile long connectedNs;

        Call(User user, long invitedNs) {
            this.user = user;
            this.invitedNs = invitedNs;
        }

        boolean mediaConnected() {
            return connectedNs > 0 && !ended.get();
        }

        void start(String offer) {
            String answer;
            try {
                LoadPeers.Peer p = peers.newPeer();
                peer = p;
                answer = p.answer(offer);
            } catch (Exception e) {
                send(message(user, JSON.createObjectNode().put("request", "decline")));
                end("answer: " + e.getMessage());
                return;
            }
            // the peer listens (and answers Janus's checks) before Janus learns its candidate
            peer.connect().whenComplete((ok, e) -> {
                if (e != null) {
                    end("ice/dtls: " + e.getMessage());
                } else {
                    connectedNs = System.nanoTime();
                }
            });
            ObjectNode accept = message(user, JSON.createObjectNode().put("request", "accept"));
            accept.set("jsep", JSON.createObjectNode().put("type", "answer").put("sdp", answer));
            send(accept);
            ObjectNode trickle = JSON.createObjectNode().put("janus", "trickle").put("session_id", user.session)
                    .put("handle_id", user.handle);
            trickle.set("candidate", JSON.createObjectNode().put("completed", true));
            send(trickle);
        }

        void end(String reason) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            long endedNs = System.nanoTime();
            LoadPeers.Peer p = peer;
            if (p == null) {
                finish(new AppCall.Result(user.uid, invitedNs, connectedNs, endedNs, reason, new LoadPeers.Stats(0, 0, 0, 0, 0, 0, 0)));
                return;
            }
            p.close().thenAccept(stats -> finish(new AppCall.Result(user.uid, invitedNs, connectedNs, endedNs, reason, stats)));
        }

        private void finish(AppCall.Result r) {
            live.remove(user.uid, this);
            results.add(r);
        }
    }

    /** Ends every live call (their results still arrive) and closes the WebSocket (Janus then drops the sessions). */
    @Override
    public void close() {
        live.values().forEach(c -> c.end("harness stopping"));
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws.abort();
        }
        events.shutdownNow();
    }
}
