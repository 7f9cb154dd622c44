package io.srproxy.rtm;

import io.srproxy.log.LogSafe;
import io.srproxy.concurrent.SerialExecutor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client logic both {@link RtmClient} implementations share: connection state, request/reply
 * matching, and the caller's and callee's view of each invitation. Only the {@link RtmTransport}
 * differs, so the in-process and WebSocket clients behave the same. Events are handled on this
 * client's serial executor; futures complete on a shared pool, so joining one inside a listener
 * callback is safe.
 */
public final class RtmClientCore implements RtmClient {

    private static final Logger log = LoggerFactory.getLogger(RtmClientCore.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /**
     * Threads shared by every client in the process. A listener may block on a future (its
     * completion runs on another of these threads), so there are more than cores; but a fixed
     * number, so no burst of events can make the process hold threads without bound.
     */
    static final int POOL_THREADS = 64;
    /** Their serial executors and future completions run here; idle threads end after 30 s. */
    static final Executor POOL = boundedPool();

    private static ThreadPoolExecutor boundedPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rtm-client-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private final String appId;
    private final RtmTransport transport;
    private final RtmListener listener;
    private final SerialExecutor events = new SerialExecutor(POOL);
    private final AtomicLong requestSeq = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    /** A request waiting for its reply; {@code inline} replies complete on the event executor, in order with events. */
    private record Pending(CompletableFuture<RtmReply> future, boolean inline) {}
    private final Map<String, LocalInvitation> locals = new ConcurrentHashMap<>();
    private final Map<String, RemoteInvitation> remotes = new ConcurrentHashMap<>();
    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.DISCONNECTED);
    private volatile String uid;

    public RtmClientCore(String appId, RtmTransport transport, RtmListener listener) {
        this.appId = appId;
        this.transport = transport;
        this.listener = listener == null ? new RtmListener() {} : listener;
    }

    @Override
    public CompletableFuture<Void> login(String uid, String token) {
        ConnectionState s = state.get();
        if ((s != ConnectionState.DISCONNECTED && s != ConnectionState.ABORTED) || !state.compareAndSet(s, ConnectionState.CONNECTING)) {
            return CompletableFuture.failedFuture(new RtmException(RtmError.ALREADY_LOGGED_IN,
                    "this client is " + state.get() + (this.uid == null ? "" : " as '" + this.uid + "'")));
        }
        events.execute(() -> listener.onConnectionStateChanged(ConnectionState.CONNECTING, ConnectionChangeReason.LOGIN));
        CompletableFuture<Void> result = new CompletableFuture<>();
        BiConsumer<RtmReply, Throwable> loggedIn = (reply, error) -> {
            if (error == null) {
                this.uid = uid;
                state.set(ConnectionState.CONNECTED);
                listener.onConnectionStateChanged(ConnectionState.CONNECTED, ConnectionChangeReason.LOGIN_SUCCESS);
                completeLater(result, null, null);
            } else {
                transport.close();
                state.set(ConnectionState.DISCONNECTED);
                listener.onConnectionStateChanged(ConnectionState.DISCONNECTED, ConnectionChangeReason.LOGIN_FAILURE);
                completeLater(result, null, unwrap(error));
            }
        };
        transport.open(inbound).whenComplete((v, openError) -> {
            if (openError != null) {
                events.execute(() -> loggedIn.accept(null, openError));
            } else {
                requestInOrder(new RtmRequest.Login(appId, uid, token), loggedIn);
            }
        });
        return result;
    }

    @Override
    public CompletableFuture<Void> logout() {
        if (state.get() != ConnectionState.CONNECTED) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        requestInOrder(new RtmRequest.Logout(), (reply, error) -> {
            if (state.get() == ConnectionState.CONNECTED) {
                sessionGone(ConnectionState.DISCONNECTED, ConnectionChangeReason.LOGOUT);
            }
            completeLater(result, null, null);
        });
        return result;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ConnectionState connectionState() {
        return state.get();
    }

    @Override
    public CompletableFuture<Void> sendMessageToPeer(String peerId, String text) {
        return request(new RtmRequest.SendMessageToPeer(peerId, text)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Map<String, Boolean>> queryPeersOnlineStatus(Collection<String> peerIds) {
        return request(new RtmRequest.QueryPeersOnlineStatus(List.copyOf(peerIds)))
                .thenApply(r -> ((RtmReply.PeersOnline) r).peers());
    }

    @Override
    public CompletableFuture<Void> subscribePeersOnlineStatus(Collection<String> peerIds) {
        return request(new RtmRequest.SubscribePeersOnlineStatus(List.copyOf(peerIds))).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> unsubscribePeersOnlineStatus(Collection<String> peerIds) {
        return request(new RtmRequest.UnsubscribePeersOnlineStatus(List.copyOf(peerIds))).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> joinChannel(String channelId) {
        return request(new RtmRequest.JoinChannel(channelId)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<Void> leaveChannel(String channelId) {
        return request(new RtmRequest.LeaveChannel(channelId)).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<List<String>> getChannelMembers(String channelId) {
        return request(new RtmRequest.GetChannelMembers(channelId)).thenApply(r -> ((RtmReply.ChannelMembers) r).members());
    }

    @Override
    public CompletableFuture<Void> sendChannelMessage(String channelId, String text) {
        return request(new RtmRequest.SendChannelMessage(channelId, text)).thenApply(r -> null);
    }

    @Override
    public LocalInvitation createLocalInvitation(String calleeId) {
        return new LocalInvitation(this, UUID.randomUUID().toString(), calleeId);
    }

    @Override
    public void close() {
        if (state.get() == ConnectionState.CONNECTED) {
            logout().whenComplete((v, e) -> transport.close());
        } else {
            transport.close();
        }
    }

    // ---- invitation API calls: checked here, decided by the server, outcome as events

    InvitationApiError send(LocalInvitation inv) {
        if (!RtmLimits.fits(inv.content(), RtmLimits.MAX_INVITATION_CONTENT_BYTES)
                || !RtmLimits.fits(inv.channelId(), RtmLimits.MAX_CHANNEL_ID_BYTES)
                || !validUid(inv.calleeId()) || inv.calleeId().equals(uid)) {
            return InvitationApiError.INVALID_ARGUMENT;
        }
        if (!inv.move(LocalInvitationState.IDLE, LocalInvitationState.SENT_TO_REMOTE)) {
            return inv.state().isFinal() ? InvitationApiError.ALREADY_END : InvitationApiError.ALREADY_SENT;
        }
        if (state.get() != ConnectionState.CONNECTED) {
            inv.set(LocalInvitationState.FAILURE);
            events.execute(() -> listener.onLocalInvitationFailure(inv, LocalInvitationFailureReason.NOT_LOGGEDIN));
            return InvitationApiError.OK;
        }
        locals.put(inv.invitationId(), inv);
        request(new RtmRequest.Invite(inv.invitationId(), inv.calleeId(), inv.content(), inv.channelId()))
                .whenCompleteAsync((reply, error) -> {
                    if (error != null && locals.remove(inv.invitationId()) != null) {
                        RtmException e = unwrap(error);
                        log.warn("invitation {} to {} not sent: {}", LogSafe.of(inv.invitationId()), LogSafe.of(inv.calleeId()), LogSafe.of(e.getMessage()));
                        inv.set(LocalInvitationState.FAILURE);
                        listener.onLocalInvitationFailure(inv, e.error() == RtmError.NOT_LOGGED_IN
                                ? LocalInvitationFailureReason.NOT_LOGGEDIN : LocalInvitationFailureReason.PEER_NO_RESPONSE);
                    }
                }, events);
        return InvitationApiError.OK;
    }

    InvitationApiError cancel(LocalInvitation inv) {
        LocalInvitationState s = inv.state();
        if (s == LocalInvitationState.IDLE) {
            return InvitationApiError.NOT_STARTED;
        }
        if (s == LocalInvitationState.ACCEPTED_BY_REMOTE) {
            return InvitationApiError.ALREADY_ACCEPT;
        }
        if (s.isFinal()) {
            return InvitationApiError.ALREADY_END;
        }
        quietly(new RtmRequest.CancelInvitation(inv.invitationId()));
        return InvitationApiError.OK;
    }

    InvitationApiError accept(RemoteInvitation inv) {
        if (!RtmLimits.fits(inv.response(), RtmLimits.MAX_INVITATION_CONTENT_BYTES)) {
            return InvitationApiError.INVALID_ARGUMENT;
        }
        if (!inv.move(RemoteInvitationState.INVITATION_RECEIVED, RemoteInvitationState.ACCEPT_SENT_TO_LOCAL)) {
            return answeredError(inv.state());
        }
        quietly(new RtmRequest.AcceptInvitation(inv.invitationId(), inv.response()));
        return InvitationApiError.OK;
    }

    InvitationApiError refuse(RemoteInvitation inv) {
        if (!RtmLimits.fits(inv.response(), RtmLimits.MAX_INVITATION_CONTENT_BYTES)) {
            return InvitationApiError.INVALID_ARGUMENT;
        }
        RemoteInvitationState s = inv.state();
        if (s != RemoteInvitationState.INVITATION_RECEIVED) {
            return answeredError(s);
        }
        quietly(new RtmRequest.RefuseInvitation(inv.invitationId(), inv.response()));
        return InvitationApiError.OK;
    }

    private static InvitationApiError answeredError(RemoteInvitationState s) {
        return s == RemoteInvitationState.ACCEPT_SENT_TO_LOCAL || s == RemoteInvitationState.ACCEPTED
                ? InvitationApiError.ALREADY_ACCEPT : InvitationApiError.ALREADY_END;
    }

    // ---- what the server says

    private final RtmTransport.Inbound inbound = new RtmTransport.Inbound() {
        @Override
        public void reply(long requestId, RtmReply reply, RtmException error) {
            events.execute(() -> {
                Pending p = pending.remove(requestId);
                if (p == null) {
                    return;
                }
                if (!p.inline) {
                    completeLater(p.future, reply, error);
                } else if (error != null) {
                    p.future.completeExceptionally(error);
                } else {
                    p.future.complete(reply);
                }
            });
        }

        @Override
        public void event(RtmEvent event) {
            events.execute(() -> handle(event));
        }

        @Override
        public void lost(String why) {
            events.execute(() -> {
                log.info("client {}: link lost ({})", LogSafe.of(uid), LogSafe.of(why));
                if (state.get() == ConnectionState.CONNECTED || state.get() == ConnectionState.CONNECTING) {
                    sessionGone(ConnectionState.ABORTED, ConnectionChangeReason.INTERRUPTED);
                }
                failPending(why);
            });
        }
    };

    private void handle(RtmEvent event) {
        if (event instanceof RtmEvent.SessionEnded e) {
            if (state.get() == ConnectionState.CONNECTED) {
                transport.close();
                sessionGone(ConnectionState.ABORTED, e.reason());
            }
        } else if (event instanceof RtmEvent.MessageFromPeer e) {
            listener.onMessageFromPeer(e.text(), e.peerId());
        } else if (event instanceof RtmEvent.PeersOnlineStatusChanged e) {
            listener.onPeersOnlineStatusChanged(e.peers());
        } else if (event instanceof RtmEvent.RemoteInvitationReceived e) {
            RemoteInvitation inv = new RemoteInvitation(this, e.invitationId(), e.callerId(), e.content(), e.channelId());
            remotes.put(inv.invitationId(), inv);
            quietly(new RtmRequest.AckInvitation(inv.invitationId()));
            listener.onRemoteInvitationReceived(inv);
        } else if (event instanceof RtmEvent.RemoteInvitationAccepted e) {
            remote(e.invitationId(), RemoteInvitationState.ACCEPTED, listener::onRemoteInvitationAccepted);
        } else if (event instanceof RtmEvent.RemoteInvitationRefused e) {
            remote(e.invitationId(), RemoteInvitationState.REFUSED, listener::onRemoteInvitationRefused);
        } else if (event instanceof RtmEvent.RemoteInvitationCanceled e) {
            remote(e.invitationId(), RemoteInvitationState.CANCELED, listener::onRemoteInvitationCanceled);
        } else if (event instanceof RtmEvent.RemoteInvitationFailure e) {
            remote(e.invitationId(), RemoteInvitationState.FAILURE, inv -> listener.onRemoteInvitationFailure(inv, e.reason()));
        } else if (event instanceof RtmEvent.LocalInvitationReceivedByPeer e) {
            LocalInvitation inv = locals.get(e.invitationId());
            if (inv != null && inv.move(LocalInvitationState.SENT_TO_REMOTE, LocalInvitationState.RECEIVED_BY_REMOTE)) {
                listener.onLocalInvitationReceivedByPeer(inv);
            }
        } else if (event instanceof RtmEvent.LocalInvitationAccepted e) {
            LocalInvitation inv = local(e.invitationId(), LocalInvitationState.ACCEPTED_BY_REMOTE, e.response());
            quietly(new RtmRequest.AckAccept(e.invitationId()));
            if (inv != null) {
                listener.onLocalInvitationAccepted(inv, e.response());
            }
        } else if (event instanceof RtmEvent.LocalInvitationRefused e) {
            LocalInvitation inv = local(e.invitationId(), LocalInvitationState.REFUSED_BY_REMOTE, e.response());
            if (inv != null) {
                listener.onLocalInvitationRefused(inv, e.response());
            }
        } else if (event instanceof RtmEvent.LocalInvitationCanceled e) {
            LocalInvitation inv = local(e.invitationId(), LocalInvitationState.CANCELED, null);
            if (inv != null) {
                listener.onLocalInvitationCanceled(inv);
            }
        } else if (event instanceof RtmEvent.LocalInvitationFailure e) {
            LocalInvitation inv = local(e.invitationId(), LocalInvitationState.FAILURE, null);
            if (inv != null) {
                listener.onLocalInvitationFailure(inv, e.reason());
            }
        } else if (event instanceof RtmEvent.ChannelMessage e) {
            listener.onChannelMessage(e.channelId(), e.text(), e.memberId());
        } else if (event instanceof RtmEvent.MemberJoined e) {
            listener.onMemberJoined(e.channelId(), e.memberId());
        } else if (event instanceof RtmEvent.MemberLeft e) {
            listener.onMemberLeft(e.channelId(), e.memberId());
        } else if (event instanceof RtmEvent.MemberCountUpdated e) {
            listener.onMemberCountUpdated(e.channelId(), e.memberCount());
        }
    }

    private void remote(String id, RemoteInvitationState to, java.util.function.Consumer<RemoteInvitation> notify) {
        RemoteInvitation inv = remotes.remove(id);
        if (inv != null) {
            inv.set(to);
            notify.accept(inv);
        }
    }

    private LocalInvitation local(String id, LocalInvitationState to, String response) {
        LocalInvitation inv = locals.remove(id);
        if (inv != null) {
            if (response != null) {
                inv.response(response);
            }
            inv.set(to);
        }
        return inv;
    }

    /** Logged out, replaced or cut off: every open invitation of this client ends here too. */
    private void sessionGone(ConnectionState newState, ConnectionChangeReason reason) {
        state.set(newState);
        uid = null;
        for (LocalInvitation inv : List.copyOf(locals.values())) {
            locals.remove(inv.invitationId());
            inv.set(LocalInvitationState.FAILURE);
            listener.onLocalInvitationFailure(inv, LocalInvitationFailureReason.NOT_LOGGEDIN);
        }
        for (RemoteInvitation inv : List.copyOf(remotes.values())) {
            remotes.remove(inv.invitationId());
            inv.set(RemoteInvitationState.FAILURE);
        }
        transport.close();
        listener.onConnectionStateChanged(newState, reason);
    }

    // ---- requests

    private CompletableFuture<RtmReply> request(RtmRequest r) {
        return request(r, false, null);
    }

    /**
     * A request whose answer is handled on the event executor, in order with the events around it
     * (login and logout change the state later events are read in). {@code onReply} is attached
     * before the request leaves, so it cannot run on another thread.
     */
    private void requestInOrder(RtmRequest r, BiConsumer<RtmReply, Throwable> onReply) {
        request(r, true, onReply);
    }

    private CompletableFuture<RtmReply> request(RtmRequest r, boolean inline, BiConsumer<RtmReply, Throwable> onReply) {
        if (!(r instanceof RtmRequest.Login) && state.get() != ConnectionState.CONNECTED) {
            return CompletableFuture.failedFuture(new RtmException(RtmError.NOT_LOGGED_IN,
                    RtmService.commandName(r) + " needs a logged-in client: log in first"));
        }
        long id = requestSeq.incrementAndGet();
        CompletableFuture<RtmReply> f = new CompletableFuture<>();
        if (onReply != null) {
            f.whenComplete(onReply);
        }
        pending.put(id, new Pending(f, inline));
        try {
            transport.send(id, r);
        } catch (RuntimeException e) {
            pending.remove(id);
            RtmException error = e instanceof RtmException re ? re : new RtmException(RtmError.NOT_LOGGED_IN, e.toString());
            if (inline) {
                events.execute(() -> f.completeExceptionally(error));
            } else {
                f.completeExceptionally(error);
            }
        }
        return f;
    }

    private void quietly(RtmRequest r) {
        request(r).whenComplete((reply, error) -> {
            if (error != null) {
                log.debug("{} answered: {}", RtmService.commandName(r), LogSafe.of(unwrap(error).getMessage()));
            }
        });
    }

    private void failPending(String why) {
        for (Long id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                completeLater(p.future, null, new RtmException(RtmError.NOT_LOGGED_IN, "link lost: " + why));
            }
        }
    }

    private static <T> void completeLater(CompletableFuture<T> f, T value, Throwable error) {
        POOL.execute(() -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(value);
            }
        });
    }

    private static RtmException unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof RtmException e ? e : new RtmException(RtmError.INTERNAL, t.toString());
    }

    private static boolean validUid(String uid) {
        try {
            RtmLimits.uid("calleeId", uid);
            return true;
        } catch (RtmException e) {
            return false;
        }
    }
}
