package io.srproxy.rtm;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One RTM user, as an app or the gateway sees it: log in as one uid, message peers, watch their
 * presence, make and answer call invitations. Events go to the {@link RtmListener} given at
 * creation, one at a time and in order. Futures fail with {@link RtmException} carrying an
 * {@link RtmError}. Implementations: in-process ({@link RtmService#createClient}) and WebSocket
 * ({@code io.srproxy.rtm.ws.WsRtmClient}); they behave the same.
 */
public interface RtmClient extends AutoCloseable {

    CompletableFuture<Void> login(String uid, String token);

    CompletableFuture<Void> logout();

    /** The logged-in uid, or null. */
    String uid();

    ConnectionState connectionState();

    /** Fails with PEER_OFFLINE when the peer is not online. */
    CompletableFuture<Void> sendMessageToPeer(String peerId, String text);

    CompletableFuture<Map<String, Boolean>> queryPeersOnlineStatus(Collection<String> peerIds);

    /** Reports the peers' current state at once through the listener, then every change. */
    CompletableFuture<Void> subscribePeersOnlineStatus(Collection<String> peerIds);

    CompletableFuture<Void> unsubscribePeersOnlineStatus(Collection<String> peerIds);

    /** A new invitation in state IDLE: set content and channel id, then {@link LocalInvitation#send()}. */
    LocalInvitation createLocalInvitation(String calleeId);

    /** Logs out if needed and releases the link. */
    @Override
    void close();
}
