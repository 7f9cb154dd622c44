package io.srproxy.bench;

import io.srproxy.rtc.webrtc.LoadPeers;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RemoteInvitationFailureReason;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.ws.WsRtmClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The app side of the load: M users logged in to srproxy's /rtm over WebSocket (the Java SDK),
 * each accepting every invitation the gateway brings and joining its channel on /rtc with a
 * {@link LoadPeers} WebRTC peer. Finished calls land in {@link #results()}.
 */
final class AppFleet implements CallSide {

    static final String ACCEPT = "{\"Mode\":1,\"Conference\":false,\"UserData\":\"\",\"SipData\":\"\"}";

    private final int webPort;
    private final String appId;
    private final LoadPeers peers;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<RtmClient> clients = new ArrayList<>();
    private final Map<String, AppCall> live = new ConcurrentHashMap<>(); // by caller uid (one per SIP call)
    private final ConcurrentLinkedQueue<AppCall.Result> results = new ConcurrentLinkedQueue<>();

    AppFleet(int webPort, String appId, LoadPeers peers) {
        this.webPort = webPort;
        this.appId = appId;
        this.peers = peers;
    }

    /** Logs in {@code uids}, at most 32 logins in flight. */
    void login(List<String> uids) throws Exception {
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (String uid : uids) {
            RtmClient c = WsRtmClient.create(URI.create("ws://127.0.0.1:" + webPort + "/rtm"), appId, new User(uid));
            synchronized (clients) {
                clients.add(c);
            }
            inFlight.add(c.login(uid, null));
            // the first alone: Javalin 7.2.3 initialises its WebSocket servlet config lazily and not
            // thread-safely (kotlin UnsafeLazyImpl), so concurrent first upgrades can fail with an NPE
            if (inFlight.size() == 32 || clients.size() == 1) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public int live() {
        return live.size();
    }

    @Override
    public int connected() {
        return (int) live.values().stream().filter(AppCall::mediaConnected).count();
    }

    @Override
    public List<AppCall.Result> drainResults() {
        return CallSide.drain(results);
    }

    private void ended(String callerId, AppCall call, AppCall.Result result) {
        live.remove(callerId, call);
        results.add(result);
    }

    /** One logged-in app user. */
    private final class User implements RtmListener {
        private final String uid;

        User(String uid) {
            this.uid = uid;
        }

        @Override
        public void onRemoteInvitationReceived(RemoteInvitation invitation) {
            long receivedNs = System.nanoTime();
            invitation.setResponse(ACCEPT).accept();
            String caller = invitation.callerId();
            AppCall call = new AppCall(uid, invitation.channelId(), appId, webPort, http, peers, receivedNs);
            AppCall prev = live.put(caller, call);
            if (prev != null) {
                prev.end("replaced");
            }
            call.start(r -> ended(caller, call, r));
        }

        @Override
        public void onMessageFromPeer(String text, String peerId) {
            if (text.contains("\"EndCall\"")) {
                AppCall call = live.get(peerId);
                if (call != null) {
                    call.end("EndCall");
                }
            }
        }

        @Override
        public void onRemoteInvitationCanceled(RemoteInvitation invitation) {
            AppCall call = live.get(invitation.callerId());
            if (call != null) {
                call.end("invitation canceled");
            }
        }

        @Override
        public void onRemoteInvitationFailure(RemoteInvitation invitation, RemoteInvitationFailureReason reason) {
            AppCall call = live.get(invitation.callerId());
            if (call != null) {
                call.end("invitation failure " + reason);
            }
        }
    }

    /** Ends every live call (their results still arrive) and logs everyone out. */
    @Override
    public void close() {
        live.values().forEach(c -> c.end("harness stopping"));
        synchronized (clients) {
            clients.forEach(RtmClient::close);
        }
    }
}
