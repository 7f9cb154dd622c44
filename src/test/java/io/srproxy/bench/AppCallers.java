package io.srproxy.bench;

import io.srproxy.rtc.webrtc.LoadPeers;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.rtm.LocalInvitationFailureReason;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The calling side of app -> SIP and app -> app load: M app users logged in to srproxy's /rtm,
 * each placing one call at a time (an RTM invitation), at most {@code limit} calls up and at most
 * {@code rate} new ones a second, like sipp's -l and -r. An accepted call joins its channel on /rtc
 * with a {@link LoadPeers} peer, is held {@code holdMs}, then hung up (EndCall to the callee, leave);
 * a call that ends is replaced by a new one until {@link #softStop()}. One scheduler thread.
 */
final class AppCallers implements CallSide {

    /** Whom a caller invites, with what content, into which channel. */
    record Invite(String callee, String content, String channel) {}

    private final int webPort;
    private final String appId;
    private final LoadPeers peers;
    private final Function<String, Invite> inviteFor; // by caller uid
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<RtmClient> clients = new ArrayList<>();
    private final Map<String, RtmClient> byUid = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> idle = new ConcurrentLinkedQueue<>();
    private final Map<String, Placed> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<AppCall.Result> results = new ConcurrentLinkedQueue<>();
    private final List<Double> setupMs = new CopyOnWriteArrayList<>();
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger sequence = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "app-callers");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping = true;
    private java.util.concurrent.ScheduledFuture<?> placing;
    private final List<String> failures = new CopyOnWriteArrayList<>();

    /** One call placed by a caller. */
    private static final class Placed {
        final String caller;
        final Invite invite;
        final long sentNs = System.nanoTime();
        volatile AppCall call;
        volatile boolean held; // its hold ran out: it ended as planned
        volatile long holdMs;

        Placed(String caller, Invite invite) {
            this.caller = caller;
            this.invite = invite;
        }
    }

    AppCallers(int webPort, String appId, LoadPeers peers, Function<String, Invite> inviteFor) {
        this.webPort = webPort;
        this.appId = appId;
        this.peers = peers;
        this.inviteFor = inviteFor;
    }

    /** A channel name no other call of this run has. */
    String nextChannel() {
        return Integer.toString(500_000_000 + sequence.incrementAndGet());
    }

    /** Logs in {@code uids}, at most 32 logins in flight. */
    void login(List<String> uids) throws Exception {
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (String uid : uids) {
            RtmClient c = WsRtmClient.create(URI.create("ws://127.0.0.1:" + webPort + "/rtm"), appId, new Caller(uid));
            clients.add(c);
            byUid.put(uid, c);
            inFlight.add(c.login(uid, null));
            if (inFlight.size() == 32 || clients.size() == 1) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        idle.addAll(uids);
    }

    /** Starts placing calls: at most {@code limit} up, {@code rate} new ones a second, each held {@code holdMs}, {@code maxCalls} in all. */
    void start(int limit, double rate, long holdMs, int maxCalls) {
        attempted.set(0);
        succeeded.set(0);
        failed.set(0);
        setupMs.clear();
        stopping = false;
        long periodMicros = (long) (1e6 / Math.max(0.1, rate));
        placing = timer.scheduleAtFixedRate(() -> {
            if (!stopping && live.size() < limit && attempted.get() < maxCalls) {
                String caller = idle.poll();
                if (caller != null) {
                    place(caller, holdMs);
                }
            }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void place(String caller, long holdMs) {
        Invite invite = inviteFor.apply(caller);
        Placed p = new Placed(caller, invite);
        live.put(caller, p);
        attempted.incrementAndGet();
        LocalInvitation inv = byUid.get(caller).createLocalInvitation(invite.callee()).setContent(invite.content())
                .setChannelId(invite.channel());
        p.holdMs = holdMs;
        inv.send();
        timer.schedule(() -> {
            if (live.get(caller) == p && p.call == null) {
                inv.cancel(); // never answered: counted as failed when the cancel is confirmed
                finish(p, false, "not answered in 30 s");
            }
        }, 30, TimeUnit.SECONDS);
    }

    private void accepted(String caller) {
        Placed p = live.get(caller);
        if (p == null || p.call != null) {
            return;
        }
        long now = System.nanoTime();
        setupMs.add((now - p.sentNs) / 1e6);
        AppCall call = new AppCall(caller, p.invite.channel(), appId, webPort, http, peers, p.sentNs);
        p.call = call;
        call.start(r -> {
            results.add(r);
            finish(p, p.held, r.endReason());
        });
        timer.schedule(() -> hangUp(p), p.holdMs, TimeUnit.MILLISECONDS);
    }

    private void hangUp(Placed p) {
        if (live.get(p.caller) != p) {
            return;
        }
        p.held = true;
        byUid.get(p.caller).sendMessageToPeer(p.invite.callee(), "{\"Cmd\":\"EndCall\"}").exceptionally(e -> null);
        AppCall call = p.call;
        if (call != null) {
            call.end("hold over");
        }
    }

    /** The call is over: counted, and its caller free for the next one. */
    private void finish(Placed p, boolean ok, String why) {
        if (!live.remove(p.caller, p)) {
            return;
        }
        (ok ? succeeded : failed).incrementAndGet();
        if (!ok && failures.size() < 20) {
            failures.add(p.caller + ": " + why);
        }
        idle.add(p.caller);
    }

    /** No new calls; those up finish their hold. */
    void softStop() {
        stopping = true;
        if (placing != null) {
            placing.cancel(false);
        }
    }

    /** Calls placed, held to the end, and failed (refused, unanswered, or ended early), as sipp counts them. */
    long[] counts() {
        return new long[] {attempted.get(), succeeded.get(), failed.get()};
    }

    /** Invitation sent -> accepted, ms, of each call answered since {@link #start}. */
    List<Double> setupTimesMs() {
        return List.copyOf(setupMs);
    }

    /** Up to 20 reasons calls failed, for the report. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public int live() {
        return live.size();
    }

    @Override
    public int connected() {
        return (int) live.values().stream().filter(p -> p.call != null && p.call.mediaConnected()).count();
    }

    @Override
    public List<AppCall.Result> drainResults() {
        return CallSide.drain(results);
    }

    /** One logged-in caller: its invitation's outcome. */
    private final class Caller implements RtmListener {
        private final String uid;

        Caller(String uid) {
            this.uid = uid;
        }

        @Override
        public void onLocalInvitationAccepted(LocalInvitation invitation, String response) {
            timer.execute(() -> accepted(uid));
        }

        @Override
        public void onLocalInvitationRefused(LocalInvitation invitation, String response) {
            ended("refused " + response);
        }

        @Override
        public void onLocalInvitationFailure(LocalInvitation invitation, LocalInvitationFailureReason reason) {
            ended("invitation failure " + reason);
        }

        @Override
        public void onMessageFromPeer(String text, String peerId) {
            Placed p = live.get(uid);
            if (p != null && text.contains("\"EndCall\"") && p.call != null) {
                p.call.end("EndCall from " + peerId); // the far end hung up first
            }
        }

        private void ended(String why) {
            Placed p = live.get(uid);
            if (p != null && p.call == null) {
                finish(p, false, why);
            }
        }
    }

    /** Ends every live call (their results still arrive) and logs everyone out. */
    @Override
    public void close() {
        stopping = true;
        live.values().forEach(p -> {
            if (p.call != null) {
                p.call.end("harness stopping");
            }
        });
        timer.shutdownNow();
        clients.forEach(RtmClient::close);
    }
}
