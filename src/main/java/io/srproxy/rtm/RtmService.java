package io.srproxy.rtm;

import io.srproxy.auth.LoginPolicy;
import io.srproxy.auth.LoginRefused;
import io.srproxy.log.LogSafe;
import io.srproxy.log.LogSetup;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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
    private final Presence presence = new Presence();
    private final Invitations invitations;
    private final Channels channels;
    private final AtomicLong connectionSeq = new AtomicLong();
    private volatile int onlineCount;
    private volatile boolean closed;

    public RtmService(String appId, LoginPolicy policy, Timers timers, RtmTimeouts timeouts) {
        this(appId, policy, timers, timeouts, ChannelLimits.DEFAULTS);
    }

    public RtmService(String appId, LoginPolicy policy, Timers timers, RtmTimeouts timeouts, ChannelLimits channelLimits) {
        this.appId = appId;
        this.policy = policy;
        this.timers = timers;
        this.timeouts = timeouts;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rtm-service");
            t.setDaemon(true);
            return t;
        });
        this.invitations = new Invitations(timers, executor, timeouts, sessions::get);
        this.channels = new Channels(channelLimits, this::run);
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
        return new RtmService(appId, LoginPolicy.of(appId, reservedUids, tokens), timers, RtmTimeouts.DEFAULTS, channelLimits);
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
        run(() -> {
            RtmReply reply;
            try {
                reply = handle(c, request);
            } catch (RtmException e) {
                log.debug("{}: {} refused: {}", c, request.getClass().getSimpleName(), LogSafe.of(e.getMessage()));
                done.accept(null, e);
                return;
            } catch (RuntimeException e) {
                log.error("{}: {} failed", c, request.getClass().getSimpleName(), e);
                done.accept(null, new RtmException(RtmError.INTERNAL, e.toString()));
                return;
            }
            done.accept(reply, null);
        }, () -> done.accept(null, new RtmException(RtmError.INTERNAL, "the RTM service is closed")));
    }

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

    private RtmReply handle(Connection c, RtmRequest request) {
        if (request instanceof RtmRequest.Login r) {
            login(c, r);
            return RtmReply.OK;
        }
        if (request instanceof RtmRequest.Ping) {
            return RtmReply.OK;
        }
        if (c.uid == null) {
            throw new RtmException(RtmError.NOT_LOGGED_IN, commandName(request) + " needs a logged-in session: log in first");
        }
        if (request instanceof RtmRequest.Logout) {
            log.info("{} logged out", c);
            endSession(c);
        } else if (request instanceof RtmRequest.SendMessageToPeer r) {
            sendMessage(c, r);
        } else if (request instanceof RtmRequest.QueryPeersOnlineStatus r) {
            Map<String, Boolean> result = new LinkedHashMap<>();
            for (String p : RtmLimits.peers("peerIds", r.peerIds())) {
                result.put(p, sessions.containsKey(p));
            }
            return new RtmReply.PeersOnline(result);
        } else if (request instanceof RtmRequest.SubscribePeersOnlineStatus r) {
            presence.subscribe(c, RtmLimits.peers("peerIds", r.peerIds()), sessions::containsKey);
        } else if (request instanceof RtmRequest.UnsubscribePeersOnlineStatus r) {
            presence.unsubscribe(c, RtmLimits.peers("peerIds", r.peerIds()));
        } else if (request instanceof RtmRequest.Invite r) {
            invitations.invite(c, r);
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
            channels.join(c, RtmLimits.requiredChannelId("channelId", r.channelId()));
        } else if (request instanceof RtmRequest.LeaveChannel r) {
            channels.leave(c, RtmLimits.requiredChannelId("channelId", r.channelId()));
        } else if (request instanceof RtmRequest.GetChannelMembers r) {
            return new RtmReply.ChannelMembers(channels.members(c, RtmLimits.requiredChannelId("channelId", r.channelId())));
        } else if (request instanceof RtmRequest.SendChannelMessage r) {
            String channelId = RtmLimits.requiredChannelId("channelId", r.channelId());
            if (r.text() == null) {
                throw new RtmException(RtmError.MISSING_FIELD, "text is missing");
            }
            channels.send(c, channelId, RtmLimits.text("text", r.text(), RtmLimits.MAX_MESSAGE_BYTES));
        } else {
            throw new RtmException(RtmError.UNKNOWN_COMMAND, request.getClass().getSimpleName());
        }
        return RtmReply.OK;
    }

    private void login(Connection c, RtmRequest.Login r) {
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
            channels.leaveAll(old);
            old.uid = null;
            sessions.remove(uid);
            old.deliver(new RtmEvent.SessionEnded(ConnectionChangeReason.REMOTE_LOGIN));
        }
        c.uid = uid;
        sessions.put(uid, c);
        onlineCount = sessions.size();
        log.info("{} logged in (token {})", c, LogSetup.secret(r.token()));
        if (old == null) {
            presence.changed(uid, PeerOnlineState.ONLINE);
        }
        // after the login reply: invitations that waited for this uid
        executor.execute(() -> {
            if (sessions.get(uid) == c) {
                invitations.loggedIn(c);
            }
        });
    }

    private void sendMessage(Connection c, RtmRequest.SendMessageToPeer r) {
        RtmLimits.uid("peerId", r.peerId());
        if (r.text() == null) {
            throw new RtmException(RtmError.MISSING_FIELD, "text is missing");
        }
        String text = RtmLimits.text("text", r.text(), RtmLimits.MAX_MESSAGE_BYTES);
        Connection peer = sessions.get(r.peerId());
        if (peer == null) {
            throw new RtmException(RtmError.PEER_OFFLINE, "peer '" + r.peerId() + "' is not online");
        }
        if (LogSetup.sensitive()) {
            log.trace("message {} -> {}: {}", c.uid, LogSafe.of(r.peerId()), LogSafe.of(text));
        }
        peer.deliver(new RtmEvent.MessageFromPeer(c.uid, text));
    }

    /** Logs a session out: invitations end, subscriptions go, channels are left, watchers see OFFLINE. */
    private void endSession(Connection c) {
        String uid = c.uid;
        invitations.left(c);
        presence.dropAll(c);
        channels.leaveAll(c);
        c.uid = null;
        sessions.remove(uid, c);
        onlineCount = sessions.size();
        if (!sessions.containsKey(uid)) {
            presence.changed(uid, PeerOnlineState.OFFLINE);
        }
    }

    private void scheduleKeepaliveSweep() {
        timers.schedule(timeouts.keepaliveSweep(), () -> run(() -> {
            sweepSilentConnections();
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
        log.info("RTM service stopped");
    }
}
