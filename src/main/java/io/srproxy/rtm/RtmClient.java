package io.srproxy.rtm;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One RTM user, as an app or the gateway sees it: log in as one uid, message peers, watch their
 * presence, make and answer call invitations, join channels and talk in them. Events go to the {@link RtmListener} given at
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

    /**
     * Joins a channel (1..64 bytes): the other members get MemberJoined, every member the new count.
     * Fails with ALREADY_JOINED, TOO_MANY_CHANNELS or CHANNEL_FULL. Channels are left on logout.
     */
    CompletableFuture<Void> joinChannel(String channelId);

    /** Fails with NOT_IN_CHANNEL when not joined. */
    CompletableFuture<Void> leaveChannel(String channelId);

    /** The members' uids (this one included), in the order they joined; NOT_IN_CHANNEL when not joined. */
    CompletableFuture<List<String>> getChannelMembers(String channelId);

    /** To every other member; NOT_IN_CHANNEL when not joined, INVALID_ARGUMENT over 32 KB. */
    CompletableFuture<Void> sendChannelMessage(String channelId, String text);

    /** Logs out if needed and releases the link. */
    @Override
    void close();
}
