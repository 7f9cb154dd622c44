package io.srproxy.rtm;

import java.util.List;

/**
 * What a session asks of the RTM service. The same records travel in-process and, as JSON with a
 * {@code cmd} name, over the /rtm WebSocket (see docs/protocol.md).
 */
public sealed interface RtmRequest {

    /** {@code token} is accepted and checked by the {@link io.srproxy.auth.LoginPolicy}. */
    record Login(String appId, String uid, String token) implements RtmRequest {}

    record Logout() implements RtmRequest {}

    /** Keepalive: any request counts, this one does nothing else. */
    record Ping() implements RtmRequest {}

    record SendMessageToPeer(String peerId, String text) implements RtmRequest {}

    record QueryPeersOnlineStatus(List<String> peerIds) implements RtmRequest {}

    record SubscribePeersOnlineStatus(List<String> peerIds) implements RtmRequest {}

    record UnsubscribePeersOnlineStatus(List<String> peerIds) implements RtmRequest {}

    /** Caller: send an invitation; {@code invitationId} is chosen by the caller and unique. */
    record Invite(String invitationId, String calleeId, String content, String channelId) implements RtmRequest {}

    /** Caller: cancel. */
    record CancelInvitation(String invitationId) implements RtmRequest {}

    /** Callee: the invitation has arrived (the caller's RECEIVED_BY_REMOTE). Clients send it at once. */
    record AckInvitation(String invitationId) implements RtmRequest {}

    /** Callee: accept. */
    record AcceptInvitation(String invitationId, String response) implements RtmRequest {}

    /** Caller: the accept has arrived (the callee's ACCEPTED). Clients send it at once. */
    record AckAccept(String invitationId) implements RtmRequest {}

    /** Callee: refuse. */
    record RefuseInvitation(String invitationId, String response) implements RtmRequest {}

    /** Join a channel (1..64 bytes); the others get MemberJoined, everyone the new count. */
    record JoinChannel(String channelId) implements RtmRequest {}

    record LeaveChannel(String channelId) implements RtmRequest {}

    /** Answered with {@link RtmReply.ChannelMembers}. */
    record GetChannelMembers(String channelId) implements RtmRequest {}

    /** To every other member of a channel this session has joined. */
    record SendChannelMessage(String channelId, String text) implements RtmRequest {}
}
