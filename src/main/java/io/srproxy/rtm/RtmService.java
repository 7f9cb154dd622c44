package io.srproxy.rtm;

import io.srproxy.auth.LoginPolicy;
import io.srproxy.auth.LoginRefused;
import io.srproxy.log.LogSafe;
import io.srproxy.log.LogSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTM signalling service: sessions, presence, peer messages, call invitations and channels. All state
 * lives on one serial executor; transports (in-process, WebSocket) hand it {@link RtmRequest}s
 * through {@link #submit} and receive {@link RtmEvent}s through their {@link ConnectionPeer}.
 */
public final class RtmService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtmService.class);

    private final String appId;
    private final LoginPolicy policy;
    private final Timers timers;
    private final RtmTimeouts timeouts;
    private final ExecutorService executor;
    private final Map<String, Connection> sessions = new HashMap<>();
    private final Set<Connection> remoteConnections = new HashSet<>();
    private final Presence presence;
    private final Invitations invitations;
    private final RtmDirectory directory;
    /** Stand-ins for sessions at other nodes that take part in invitations kept here. */
    private final Map<RtmDirectory.SessionRef, Connection> standIns = new HashMap<>();
    /** Presence interest per uid (subscriptions, invitations waiting), so the directory watches each uid once. */
    private final Map<String, Integer> watching = new HashMap<>();
    /** Per watched uid: done once the directory reports its changes. */
    private final Map<String, CompletionStage<Void>> watchReady = new HashMap<>();
    /** Requests forwarded to the node keeping their invitation, by request id: their reply is owed. */
    private final Map<Long, BiConsumer<RtmReply, RtmException>> forwarded = new HashMap<>();
    private long forwardSeq;
    private final Channels channels;
    private final AtomicLong connectionSeq = new AtomicLong();
    /** Session numbers, unique across restarts of this node (a stale key from before a crash must not match). */
    private long sessionSeq = System.currentTimeMillis() * 1000;
    private volatile int onlineCount;
    private volatile boolean closed;

    public RtmService(String appId, LoginPolicy policy, Timers timers, RtmTimeouts timeouts) {
        this(appId, policy, timers, timeouts, ChannelLimits.DEFAULTS);
    }

    public RtmService(String appId, LoginPolicy policy, Timers timers, RtmTimeouts timeouts, ChannelLimits channelLimits) {
        this(appId, policy, timers, timeouts, channelLimits, RtmDirectory.single());
    }

    /** With {@code directory}: one node of several ({@code [cluster]}), or {@link RtmDirectory#single()}. */
    public RtmService(String appId, LoginPolicy policy, Timers timers, RtmTimeouts timeouts, ChannelLimits channelLimits,
                      RtmDirectory directory) {
        this.appId = appId;
        this.directory = directory;
        this.policy = policy;
        this.timers = timers;
        this.timeouts = timeouts;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rtm-service");
            t.setDaemon(true);
            return t;
        });
        this.presence = new Presence(this::watch, this::unwatch);
        this.invitations = new Invitations(timers, executor, timeouts, sessions::get, this::watch, this::unwatch);
        this.channels = new Channels(channelLimits, this::run, directory.clustered());
        directory.start(new FromCluster());
        scheduleKeepaliveSweep();
    }

    /** The service for one appid with the contract's timeouts on the system clock. */
    public static RtmService create(String appId, SystemTimers timers) {
        return create(appId, Set.of(), timers);
    }

    /** As {@link #create(String, SystemTimers)}, keeping {@code reservedUids} for in-process clients (the gateway). */
    public static RtmService create(String appId, Set<String> reservedUids, SystemTimers timers) {
        return new RtmService(appId, LoginPolicy.forApp(appId, reservedUids), timers, RtmTimeouts.DEFAULTS);
    }

    /** As above, with login tokens required from remote clients (when {@code [global] app_cert} is set). */
    public static RtmService create(String appId, Set<String> reservedUids, java.util.Optional<io.srproxy.auth.LoginTokens> tokens,
                                    SystemTimers timers) {
        return create(appId, reservedUids, tokens, ChannelLimits.DEFAULTS, timers);
    }

    /** As above, with the channel limits from {@code [limits]}. */
    public static RtmService create(String appId, Set<String> reservedUids, java.util.Optional<io.srproxy.auth.LoginTokens> tokens,
                                    ChannelLimits channelLimits, SystemTimers timers) {
        return create(appId, reservedUids, tokens, channelLimits, timers, RtmDirectory.single());
    }

    /** As above, as one node of a cluster when {@code directory} is clustered. */
    public static RtmService create(String appId, Set<String> reservedUids, java.util.Optional<io.srproxy.auth.LoginTokens> tokens,
                                    ChannelLimits channelLimits, SystemTimers timers, RtmDirectory directory) {
        return new RtmService(appId, LoginPolicy.of(appId, reservedUids, tokens), timers, RtmTimeouts.DEFAULTS, channelLimits,
                directory);
    }

    /** How invitations ended, counted for /metrics. */
    public InvitationOutcomes invitationOutcomes() {
        return invitations.outcomes();
    }

    public String appId() {
        return appId;
    }

    /** False once closed. */
    public boolean isRunning() {
        return !closed;
    }

    /** Users logged in now. */
    public int onlineCount() {
        return onlineCount;
    }

    /** A new in-process client of this service (the gateway's way in): one client, one uid. */
    public RtmClient createClient(RtmListener listener) {
        return createClient(appId, listener);
    }

    /** An in-process client that logs in with the given appid (tests of the appid check). */
    public RtmClient createClient(String appId, RtmListener listener) {
        return new RtmClientCore(appId, new InProcessTransport(this), listener);
    }

    /**
     * A new link. {@code remote} links (WebSocket) must show signs of life within the keepalive
     * limit or are logged out and closed; in-process links cannot vanish.
     */
    public Connection connect(ConnectionPeer peer, boolean remote, String label) {
        Connection c = new Connection(peer, remote, label + "#" + connectionSeq.incrementAndGet(), timers.nowMillis());
        if (remote) {
            executor.execute(() -> remoteConnections.add(c));
        }
        return c;
    }

    /** The link is gone: its session, if any, is logged out. */
    public void disconnect(Connection c) {
        run(() -> {
            remoteConnections.remove(c);
            if (c.uid != null) {
                log.info("{} disconnected: logged out", c);
                endSession(c);
            }
        });
    }

    /**
     * srproxy is stopping: every network client's session ends with {@code sessionEnded}
     * INTERRUPTED (so SDKs try again later) and its socket closes saying {@code why}.
     * Completes with the number of clients told.
     */
    public CompletableFuture<Integer> disconnectAll(String why) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        run(() -> {
            List<Connection> all = List.copyOf(remoteConnections);
            remoteConnections.clear();
            for (Connection c : all) {
                if (c.uid != null) {
                    endSession(c);
                    c.deliver(new RtmEvent.SessionEnded(ConnectionChangeReason.INTERRUPTED));
                }
                try {
                    c.peer.closeGoingAway(why);
                } catch (RuntimeException e) {
                    log.debug("{}: close failed: {}", c, e.toString());
                }
            }
            log.info("{} client(s) disconnected: {}", all.size(), why);
            done.complete(all.size());
        });
        return done;
    }

    /**
     * Ends {@code uid}'s session from the server side (an operator's kick): the client is told
     * BANNED_BY_SERVER and is logged out; its peers see it go offline. False when it was not online.
     */
    public CompletableFuture<Boolean> kick(String uid, String why) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        run(() -> {
            Connection c = sessions.get(uid);
            if (c == null) {
                done.complete(false);
                return;
            }
            log.info("{} kicked: {}", c, why);
            endSession(c);
            c.deliver(new RtmEvent.SessionEnded(ConnectionChangeReason.BANNED_BY_SERVER));
            done.complete(true);
        });
        return done;
    }

    /** The client was heard from (any frame counts as keepalive). */
    public void touch(Connection c) {
        c.lastSeenMillis = timers.nowMillis();
    }

    /** Handles one request; {@code done} gets the reply or the error on the service's executor. */
    public void submit(Connection c, RtmRequest request, BiConsumer<RtmReply, RtmException> done) {
        touch(c);
        run(() -> answer(c, request, done, () -> handle(c, request, done)),
                () -> done.accept(null, new RtmException(RtmError.INTERNAL, "the RTM service is closed")));
    }

    /** Runs one step of a request and answers it, unless the step answers {@link #LATER} (it then calls {@code done} itself). */
    private void answer(Connection c, RtmRequest request, BiConsumer<RtmReply, RtmException> done,
                        java.util.function.Supplier<RtmReply> step) {
        RtmReply reply;
        try {
            reply = step.get();
        } catch (RtmException e) {
            log.debug("{}: {} refused: {}", c, request.getClass().getSimpleName(), LogSafe.of(e.getMessage()));
            done.accept(null, e);
            return;
        } catch (RuntimeException e) {
            log.error("{}: {} failed", c, request.getClass().getSimpleName(), e);
            done.accept(null, new RtmException(RtmError.INTERNAL, e.toString()));
            return;
        }
        if (reply != LATER) {
            done.accept(reply, null);
        }
    }

    /** A reply that comes later, from another node's answer. Compared by identity. */
    private static final RtmReply LATER = new RtmReply.Ok();

    /** {@link #submit} as a future (completed on the service's executor: do not block in it). */
    public CompletableFuture<RtmReply> request(Connection c, RtmRequest request) {
        CompletableFuture<RtmReply> f = new CompletableFuture<>();
        submit(c, request, (reply, error) -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(reply);
            }
        });
        return f;
    }

    private RtmReply handle(Connection c, RtmRequest request, BiConsumer<RtmReply, RtmException> done) {
        if (request instanceof RtmRequest.Login r) {
            return login(c, r, done);
        }
        if (request instanceof RtmRequest.Ping) {
            return RtmReply.OK;
        }
        if (c.uid == null) {
            throw new RtmException(RtmError.NOT_LOGGED_IN, commandName(request) + " needs a logged-in session: log in first");
        }
        if (request instanceof RtmRequest.Logout) {
            log.info("{} logged out", c);
            CompletionStage<Void> released = endSession(c);
            if (directory.clustered()) {
                return afterRedis(released, done);
            }
        } else if (request instanceof RtmRequest.SendMessageToPeer r) {
            return sendMessage(c, r, done);
        } else if (request instanceof RtmRequest.QueryPeersOnlineStatus r) {
            List<String> peers = RtmLimits.peers("peerIds", r.peerIds());
            return online(peers, c, request, done, result -> new RtmReply.PeersOnline(result));
        } else if (request instanceof RtmRequest.SubscribePeersOnlineStatus r) {
            List<String> peers = RtmLimits.peers("peerIds", r.peerIds());
            presence.subscribe(c, peers);
            return online(peers, c, request, done, result -> {
                presence.snapshot(c, result);
                return RtmReply.OK;
            });
        } else if (forwardable(c, request, done)) {
            return LATER;
        } else if (request instanceof RtmRequest.UnsubscribePeersOnlineStatus r) {
            presence.unsubscribe(c, RtmLimits.peers("peerIds", r.peerIds()));
        } else if (request instanceof RtmRequest.Invite r) {
            invitations.invite(c, r);
            if (directory.clustered() && invitations.waitingFor(r.calleeId())) {
                String callee = r.calleeId();
                locateWatched(List.of(callee)).thenAccept(where -> run(() -> {
                    RtmDirectory.SessionRef at = where.get(callee);
                    if (at != null && invitations.waitingFor(callee) && !sessions.containsKey(callee)) {
                        invitations.loggedIn(standIn(at));
                    }
                }));
            }
        } else if (request instanceof RtmRequest.CancelInvitation r) {
            invitations.cancel(c, r.invitationId());
        } else if (request instanceof RtmRequest.AckInvitation r) {
            invitations.ack(c, r.invitationId());
        } else if (request instanceof RtmRequest.AcceptInvitation r) {
            invitations.accept(c, r);
        } else if (request instanceof RtmRequest.AckAccept r) {
            invitations.ackAccept(c, r.invitationId());
        } else if (request instanceof RtmRequest.RefuseInvitation r) {
            invitations.refuse(c, r);
        } else if (request instanceof RtmRequest.JoinChannel r) {
            String channelId = RtmLimits.requiredChannelId("channelId", r.channelId());
            if (directory.clustered()) {
                return joinInCluster(c, channelId, request, done);
            }
            channels.join(c, channelId);
        } else if (request instanceof RtmRequest.LeaveChannel r) {
            String channelId = RtmLimits.requiredChannelId("channelId", r.channelId());
            RtmDirectory.SessionRef ref = ref(c);
            channels.leave(c, channelId);
            if (directory.clustered()) {
                return afterRedis(leaveInCluster(ref, channelId), done);
            }
        } else if (request instanceof RtmRequest.GetChannelMembers r) {
            String channelId = RtmLimits.requiredChannelId("channelId", r.channelId());
            if (directory.clustered()) {
                channels.requireMember(c, channelId);
                return later(directory.channelMembers(channelId), c, request, done, RtmReply.ChannelMembers::new);
            }
            return new RtmReply.ChannelMembers(channels.members(c, channelId));
        } else if (request instanceof RtmRequest.SendChannelMessage r) {
            String channelId = RtmLimits.requiredChannelId("channelId", r.channelId());
            if (r.text() == null) {
                throw new RtmException(RtmError.MISSING_FIELD, "text is missing");
            }
            String text = RtmLimits.text("text", r.text(), RtmLimits.MAX_MESSAGE_BYTES);
            channels.send(c, channelId, text);
            if (directory.clustered()) {
                RtmEvent message = new RtmEvent.ChannelMessage(channelId, c.uid, text);
                return later(directory.channelNodes(channelId), c, request, done, nodes -> {
                    for (String node : nodes) {
                        directory.send(node, new RtmDirectory.ToChannel(directory.nodeId(), channelId, message));
                    }
                    return RtmReply.OK;
                });
            }
        } else {
            throw new RtmException(RtmError.UNKNOWN_COMMAND, request.getClass().getSimpleName());
        }
        return RtmReply.OK;
    }

    // ---- RTM channels on several nodes: membership and limits in Redis, events through the nodes' inboxes

    /** Redis admits the member (atomically against the members limit), then the members everywhere are told. */
    private RtmReply joinInCluster(Connection c, String channelId, RtmRequest request, BiConsumer<RtmReply, RtmException> done) {
        channels.reserve(c, channelId);
        RtmDirectory.SessionRef ref = ref(c);
        int max = channels.limits().maxMembers();
        CompletionStage<RtmDirectory.ChannelChange> admitted;
        try {
            admitted = directory.joinChannel(channelId, ref, max);
        } catch (RuntimeException e) {
            channels.unreserve(c, channelId);
            throw new RtmException(RtmError.INTERNAL, "the cluster did not answer: " + e.getMessage());
        }
        admitted.whenComplete((change, error) -> run(() -> answer(c, request, done, () -> {
            boolean same = c.session == ref.session();
            if (error != null || change.full() || !same) {
                if (same) {
                    channels.unreserve(c, channelId);
                }
                if (!same) {
                    throw new RtmException(RtmError.NOT_LOGGED_IN, "the session ended before the answer came");
                }
                if (error != null) {
                    throw new RtmException(RtmError.INTERNAL, "the cluster did not answer: " + error.getMessage());
                }
                throw new RtmException(RtmError.CHANNEL_FULL, "channel '" + channelId + "' has " + change.count()
                        + " members, its limit ([limits] rtm_channel_members)");
            }
            if (channels.joined(c, channelId, change.count())) {
                tellNodes(change.nodes(), channelId, new RtmEvent.MemberJoined(channelId, c.uid), change.count());
            }
            return RtmReply.OK;
        }), () -> done.accept(null, new RtmException(RtmError.INTERNAL, "the RTM service is closed"))));
        return LATER;
    }

    /** The member (already gone from the channel here) leaves it in Redis; the others are told the new count. */
    private CompletionStage<Void> leaveInCluster(RtmDirectory.SessionRef member, String channelId) {
        CompletionStage<RtmDirectory.ChannelChange> left;
        try {
            left = directory.leaveChannel(channelId, member);
        } catch (RuntimeException e) {
            log.debug("cluster: leaving channel {} failed (its entry expires): {}", LogSafe.of(channelId), e.toString());
            return DONE;
        }
        return left.handle((change, error) -> {
            if (error != null) {
                log.debug("cluster: leaving channel {} failed (its entry expires): {}", LogSafe.of(channelId), error.toString());
            } else if (change.changed()) {
                run(() -> {
                    channels.countIs(channelId, change.count());
                    tellNodes(change.nodes(), channelId, new RtmEvent.MemberLeft(channelId, member.uid()), change.count());
                });
            }
            return null;
        });
    }

    /** A session leaves all its channels: here at once, in Redis before the returned stage completes. */
    private CompletionStage<Void> leaveAllChannels(Connection c) {
        RtmDirectory.SessionRef ref = ref(c);
        List<String> left = channels.leaveAll(c);
        if (!directory.clustered() || left.isEmpty()) {
            return DONE;
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String channelId : left) {
            all.add(leaveInCluster(ref, channelId).toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** {@code event} and then the new count, to the members of the channel at each of {@code nodes}. */
    private void tellNodes(java.util.Set<String> nodes, String channelId, RtmEvent event, int count) {
        for (String node : nodes) {
            directory.send(node, new RtmDirectory.ToChannel(directory.nodeId(), channelId, event));
            directory.send(node, new RtmDirectory.ToChannel(directory.nodeId(), channelId,
                    new RtmEvent.MemberCountUpdated(channelId, count)));
        }
    }

    private RtmReply login(Connection c, RtmRequest.Login r, BiConsumer<RtmReply, RtmException> done) {
        if (c.uid != null) {
            throw new RtmException(RtmError.ALREADY_LOGGED_IN, "this connection is logged in as '" + c.uid + "'");
        }
        String uid = RtmLimits.uid("uid", r.uid());
        try {
            policy.check(new LoginPolicy.Attempt(r.appId(), uid, r.token(), c.needsKeepalive));
        } catch (LoginRefused refused) {
            throw new RtmException(RtmError.valueOf(refused.reason().name()), refused.getMessage());
        }
        Connection old = sessions.get(uid);
        if (old != null) {
            log.info("{} replaced by a new login of the same uid on {}", old, c);
            invitations.left(old);
            presence.dropAll(old);
            leaveAllChannels(old);
            goneFromRemoteInvitations(old);
            old.uid = null;
            sessions.remove(uid);
            old.deliver(new RtmEvent.SessionEnded(ConnectionChangeReason.REMOTE_LOGIN));
        }
        c.uid = uid;
        c.session = ++sessionSeq;
        sessions.put(uid, c);
        onlineCount = sessions.size();
        log.info("{} logged in (token {})", c, LogSetup.secret(r.token()));
        Runnable afterReply = () -> {
            if (sessions.get(uid) == c) {
                invitations.loggedIn(c); // invitations that waited for this uid
            }
        };
        if (directory.clustered()) {
            // the directory ends a session of this uid at another node and tells every watcher;
            // the reply waits for it, so that once logged in the uid is online for every node
            return afterRedis(directory.claim(ref(c)), (reply, error) -> {
                done.accept(reply, error);
                afterReply.run();
            });
        }
        if (old == null) {
            presence.changed(uid, PeerOnlineState.ONLINE);
        }
        executor.execute(afterReply);
        return RtmReply.OK;
    }

    /**
     * Replies OK once Redis has what this step wrote (so other nodes read it next), or could not
     * take it: the step is done here either way, and the heartbeat's refresh repairs Redis.
     */
    private RtmReply afterRedis(CompletionStage<Void> written, BiConsumer<RtmReply, RtmException> done) {
        written.whenComplete((v, e) -> run(() -> done.accept(RtmReply.OK, null),
                () -> done.accept(null, new RtmException(RtmError.INTERNAL, "the RTM service is closed"))));
        return LATER;
    }

    private RtmReply sendMessage(Connection c, RtmRequest.SendMessageToPeer r, BiConsumer<RtmReply, RtmException> done) {
        RtmLimits.uid("peerId", r.peerId());
        if (r.text() == null) {
            throw new RtmException(RtmError.MISSING_FIELD, "text is missing");
        }
        String text = RtmLimits.text("text", r.text(), RtmLimits.MAX_MESSAGE_BYTES);
        if (LogSetup.sensitive()) {
            log.trace("message {} -> {}: {}", c.uid, LogSafe.of(r.peerId()), LogSafe.of(text));
        }
        RtmEvent message = new RtmEvent.MessageFromPeer(c.uid, text);
        Connection peer = sessions.get(r.peerId());
        if (peer != null) {
            peer.deliver(message);
            return RtmReply.OK;
        }
        if (!directory.clustered()) {
            throw peerOffline(r.peerId());
        }
        return later(directory.locate(List.of(r.peerId())), c, r, done, where -> {
            RtmDirectory.SessionRef at = where.get(r.peerId());
            if (at == null) {
                throw peerOffline(r.peerId());
            }
            directory.send(at.node(), new RtmDirectory.Deliver(directory.nodeId(),
                    new RtmDirectory.SessionRef(at.uid(), at.node(), 0), message));
            return RtmReply.OK;
        });
    }

    private static RtmException peerOffline(String peerId) {
        return new RtmException(RtmError.PEER_OFFLINE, "peer '" + peerId + "' is not online");
    }

    /** Logs a session out: invitations end, subscriptions go, channels are left, watchers see OFFLINE. */
    private CompletionStage<Void> endSession(Connection c) {
        String uid = c.uid;
        RtmDirectory.SessionRef ref = ref(c);
        invitations.left(c);
        goneFromRemoteInvitations(c);
        presence.dropAll(c);
        CompletionStage<Void> leftChannels = leaveAllChannels(c);
        c.uid = null;
        c.session = 0;
        sessions.remove(uid, c);
        onlineCount = sessions.size();
        if (directory.clustered()) {
            // OFFLINE reaches the watchers (here too) from the directory, unless the uid moved on
            return directory.release(ref).thenCombine(leftChannels, (a, b) -> null);
        }
        if (!sessions.containsKey(uid)) {
            presence.changed(uid, PeerOnlineState.OFFLINE);
        }
        return DONE;
    }

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private void scheduleKeepaliveSweep() {
        timers.schedule(timeouts.keepaliveSweep(), () -> run(() -> {
            sweepSilentConnections();
            standIns.values().removeIf(s -> s.invitationIds.isEmpty());
            if (!closed) {
                scheduleKeepaliveSweep();
            }
        }));
    }

    private void sweepSilentConnections() {
        long now = timers.nowMillis();
        long limit = timeouts.silenceLimit().toMillis();
        for (Connection c : List.copyOf(remoteConnections)) {
            if (now - c.lastSeenMillis > limit) {
                log.info("{} silent for {} s: dropped", c, (now - c.lastSeenMillis) / 1000);
                remoteConnections.remove(c);
                if (c.uid != null) {
                    endSession(c);
                    c.deliver(new RtmEvent.SessionEnded(ConnectionChangeReason.INTERRUPTED));
                }
                try {
                    c.peer.close(ConnectionChangeReason.INTERRUPTED);
                } catch (RuntimeException e) {
                    log.debug("{}: close failed: {}", c, e.toString());
                }
            }
        }
    }

    // ---- several nodes: what the directory tells us, and what we hand to other nodes

    private RtmDirectory.SessionRef ref(Connection c) {
        return new RtmDirectory.SessionRef(c.uid, directory.nodeId(), c.session);
    }

    /** Which of {@code peers} are online (here, or at another node), then {@code reply} from that. */
    private RtmReply online(List<String> peers, Connection c, RtmRequest request, BiConsumer<RtmReply, RtmException> done,
                            Function<Map<String, Boolean>, RtmReply> reply) {
        Map<String, Boolean> result = new LinkedHashMap<>();
        List<String> elsewhere = new ArrayList<>();
        for (String p : peers) {
            boolean here = sessions.containsKey(p);
            result.put(p, here);
            if (!here) {
                elsewhere.add(p);
            }
        }
        if (!directory.clustered() || elsewhere.isEmpty()) {
            return reply.apply(result);
        }
        return later(locateWatched(elsewhere), c, request, done, where -> {
            where.keySet().forEach(uid -> result.put(uid, true));
            return reply.apply(result);
        });
    }

    /** {@link RtmDirectory#locate}, after the watches of those uids are in place (so no change falls between). */
    private CompletionStage<Map<String, RtmDirectory.SessionRef>> locateWatched(List<String> uids) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (String uid : uids) {
            CompletionStage<Void> r = watchReady.get(uid);
            if (r != null) {
                ready.add(r.toCompletableFuture());
            }
        }
        List<String> copy = List.copyOf(uids);
        return CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).thenCompose(v -> directory.locate(copy));
    }

    /** Finishes a request when {@code stage} completes, back on the service's thread; answers {@link #LATER} now. */
    private <T> RtmReply later(CompletionStage<T> stage, Connection c, RtmRequest request,
                               BiConsumer<RtmReply, RtmException> done, Function<T, RtmReply> then) {
        String uid = c.uid;
        stage.whenComplete((value, error) -> run(() -> answer(c, request, done, () -> {
            if (error != null) {
                throw new RtmException(RtmError.INTERNAL, "the cluster did not answer: " + error.getMessage());
            }
            if (c.uid == null || !c.uid.equals(uid)) {
                throw new RtmException(RtmError.NOT_LOGGED_IN, "the session ended before the answer came");
            }
            return then.apply(value);
        }), () -> done.accept(null, new RtmException(RtmError.INTERNAL, "the RTM service is closed"))));
        return LATER;
    }

    /**
     * A callee's answer to an invitation kept by another node goes there (the caller's node decides,
     * so a cancel crossing an accept has one outcome); the reply comes back as an {@link RtmDirectory.Answer},
     * or the request fails when that node does not answer in time.
     */
    private boolean forwardable(Connection c, RtmRequest request, BiConsumer<RtmReply, RtmException> done) {
        String id = request instanceof RtmRequest.AckInvitation r ? r.invitationId()
                : request instanceof RtmRequest.AcceptInvitation r ? r.invitationId()
                : request instanceof RtmRequest.RefuseInvitation r ? r.invitationId() : null;
        String node = id == null ? null : c.remoteInvitations.get(id);
        if (node == null) {
            return false;
        }
        long requestId = ++forwardSeq;
        forwarded.put(requestId, done);
        directory.send(node, new RtmDirectory.Forward(directory.nodeId(), ref(c), requestId, request));
        timers.schedule(FORWARD_TIMEOUT, () -> run(() -> {
            BiConsumer<RtmReply, RtmException> owed = forwarded.remove(requestId);
            if (owed != null) {
                owed.accept(null, new RtmException(RtmError.INTERNAL, "node '" + node + "', which keeps invitation "
                        + LogSafe.of(id) + ", did not answer"));
            }
        }));
        return true;
    }

    /** How long a forwarded invitation request waits for the answer of the node keeping it. */
    static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    /** The nodes keeping invitations this session was called with learn that it ended. */
    private void goneFromRemoteInvitations(Connection c) {
        if (c.remoteInvitations.isEmpty()) {
            return;
        }
        RtmDirectory.SessionRef ref = ref(c);
        for (String node : Set.copyOf(c.remoteInvitations.values())) {
            directory.send(node, new RtmDirectory.SessionGone(directory.nodeId(), ref));
        }
        c.remoteInvitations.clear();
    }

    /** The stand-in for a session at another node: its events go there. One per session, while invitations use it. */
    private Connection standIn(RtmDirectory.SessionRef at) {
        return standIns.computeIfAbsent(at, r -> {
            Connection s = new Connection(new ConnectionPeer() {
                @Override
                public void deliver(RtmEvent event) {
                    directory.send(r.node(), new RtmDirectory.Deliver(directory.nodeId(), r, event));
                }

                @Override
                public void close(ConnectionChangeReason reason) {}
            }, false, "node:" + r.node(), timers.nowMillis());
            s.uid = r.uid();
            s.session = r.session();
            s.remote = r;
            return s;
        });
    }

    private void watch(String uid) {
        if (directory.clustered() && watching.merge(uid, 1, Integer::sum) == 1) {
            watchReady.put(uid, directory.watch(uid));
        }
    }

    private void unwatch(String uid) {
        if (directory.clustered() && watching.containsKey(uid)
                && watching.computeIfPresent(uid, (k, n) -> n == 1 ? null : n - 1) == null) {
            watchReady.remove(uid);
            directory.unwatch(uid);
        }
    }

    /** The directory's callbacks, each run on the service's thread. */
    private final class FromCluster implements RtmDirectory.Node {

        @Override
        public void received(RtmDirectory.NodeMessage message) {
            run(() -> {
                try {
                    handle(message);
                } catch (RuntimeException e) {
                    log.warn("cluster: {} from node '{}' failed: {}", message.getClass().getSimpleName(),
                            LogSafe.of(message.from()), e.toString());
                }
            });
        }

        @Override
        public void presence(String uid, RtmDirectory.SessionRef where) {
            run(() -> {
                presence.changed(uid, where != null ? PeerOnlineState.ONLINE : PeerOnlineState.OFFLINE);
                if (where != null && !where.node().equals(directory.nodeId()) && invitations.waitingFor(uid)
                        && !sessions.containsKey(uid)) {
                    invitations.loggedIn(standIn(where));
                }
            });
        }

        @Override
        public void nodeGone(String node) {
            run(() -> {
                for (Connection s : List.copyOf(standIns.values())) {
                    if (s.remote.node().equals(node)) {
                        standIns.remove(s.remote);
                        invitations.left(s);
                    }
                }
            });
        }

        @Override
        public void channelMembersGone(String channelId, List<String> uids, RtmDirectory.ChannelChange change) {
            run(() -> {
                for (String uid : uids) {
                    RtmEvent left = new RtmEvent.MemberLeft(channelId, uid);
                    channels.deliverHere(channelId, left);
                    for (String node : change.nodes()) {
                        directory.send(node, new RtmDirectory.ToChannel(directory.nodeId(), channelId, left));
                    }
                }
                channels.countIs(channelId, change.count());
                for (String node : change.nodes()) {
                    directory.send(node, new RtmDirectory.ToChannel(directory.nodeId(), channelId,
                            new RtmEvent.MemberCountUpdated(channelId, change.count())));
                }
            });
        }

        @Override
        public void lostOwnership(RtmDirectory.SessionRef session) {
            run(() -> endReplaced(session, ConnectionChangeReason.REMOTE_LOGIN));
        }

        private void handle(RtmDirectory.NodeMessage message) {
            if (message instanceof RtmDirectory.Deliver m) {
                deliverHere(m);
            } else if (message instanceof RtmDirectory.Forward m) {
                Connection s = standIns.get(m.session());
                if (s == null) { // not a party to any invitation here: the checks below refuse it
                    s = new Connection((ConnectionPeer) null, false, "node:" + m.from(), timers.nowMillis());
                    s.uid = m.session().uid();
                }
                Connection from = s;
                answer(from, m.request(), (reply, error) -> directory.send(m.from(), new RtmDirectory.Answer(
                        directory.nodeId(), m.requestId(), error == null ? null : error.error(),
                        error == null ? null : error.detail())), () -> forwardedHere(from, m.request()));
            } else if (message instanceof RtmDirectory.Answer m) {
                BiConsumer<RtmReply, RtmException> owed = forwarded.remove(m.requestId());
                if (owed != null) {
                    owed.accept(m.error() == null ? RtmReply.OK : null,
                            m.error() == null ? null : new RtmException(m.error(), m.message()));
                }
            } else if (message instanceof RtmDirectory.SessionGone m) {
                Connection s = standIns.remove(m.session());
                if (s != null) {
                    invitations.left(s);
                }
            } else if (message instanceof RtmDirectory.EndSession m) {
                endReplaced(m.session(), m.reason());
            } else if (message instanceof RtmDirectory.ToChannel m) {
                channels.deliverHere(m.channelId(), m.event());
            }
        }

        /** An event for a session here; invitation events for a session that is gone tell the sender so. */
        private void deliverHere(RtmDirectory.Deliver m) {
            Connection c = sessions.get(m.to().uid());
            if (c == null || (m.to().session() != 0 && c.session != m.to().session())) {
                if (m.to().session() != 0) {
                    directory.send(m.from(), new RtmDirectory.SessionGone(directory.nodeId(), m.to()));
                }
                return;
            }
            RtmEvent e = m.event();
            if (e instanceof RtmEvent.RemoteInvitationReceived r) {
                c.remoteInvitations.put(r.invitationId(), m.from());
            } else if (e instanceof RtmEvent.RemoteInvitationAccepted r) {
                c.remoteInvitations.remove(r.invitationId());
            } else if (e instanceof RtmEvent.RemoteInvitationRefused r) {
                c.remoteInvitations.remove(r.invitationId());
            } else if (e instanceof RtmEvent.RemoteInvitationCanceled r) {
                c.remoteInvitations.remove(r.invitationId());
            } else if (e instanceof RtmEvent.RemoteInvitationFailure r) {
                c.remoteInvitations.remove(r.invitationId());
            }
            c.deliver(e);
        }

        private RtmReply forwardedHere(Connection callee, RtmRequest request) {
            if (request instanceof RtmRequest.AckInvitation r) {
                invitations.ack(callee, r.invitationId());
            } else if (request instanceof RtmRequest.AcceptInvitation r) {
                invitations.accept(callee, r);
            } else if (request instanceof RtmRequest.RefuseInvitation r) {
                invitations.refuse(callee, r);
            } else {
                throw new RtmException(RtmError.NOT_ALLOWED, commandName(request) + " is not forwarded between nodes");
            }
            return RtmReply.OK;
        }
    }

    /** The uid logged in at another node: this session ends, and the uid stays online there. */
    private void endReplaced(RtmDirectory.SessionRef session, ConnectionChangeReason reason) {
        Connection c = sessions.get(session.uid());
        if (c == null || c.session != session.session()) {
            return;
        }
        log.info("{} replaced by a login of the same uid at another node", c);
        endSession(c);
        c.deliver(new RtmEvent.SessionEnded(reason));
    }

    /** Live invitations (for health and tests). */
    public CompletableFuture<Integer> liveInvitations() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        run(() -> f.complete(invitations.liveCount()), () -> f.complete(0));
        return f;
    }

    /** RTM channels with members now. */
    public int channelCount() {
        return channels.count();
    }

    private void run(Runnable task) {
        run(task, () -> {});
    }

    private void run(Runnable task, Runnable whenClosed) {
        if (closed) {
            whenClosed.run();
            return;
        }
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            whenClosed.run();
        }
    }

    static String commandName(RtmRequest r) {
        String n = r.getClass().getSimpleName();
        return Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdown();
        directory.close();
        log.info("RTM service stopped");
    }
}
