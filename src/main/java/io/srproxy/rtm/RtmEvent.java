package io.srproxy.rtm;

import java.util.Map;

/**
 * What the RTM service tells a session without being asked. Sent as JSON with an {@code event}
 * name over the /rtm WebSocket (see docs/protocol.md).
 */
public sealed interface RtmEvent {

    /** The session ended on the server's side (replaced by another login, or silent too long). */
    record SessionEnded(ConnectionChangeReason reason) implements RtmEvent {}

    record MessageFromPeer(String peerId, String text) implements RtmEvent {}

    record PeersOnlineStatusChanged(Map<String, PeerOnlineState> peers) implements RtmEvent {}

    /** To the callee. */
    record RemoteInvitationReceived(String invitationId, String callerId, String content, String channelId)
            implements RtmEvent {}

    /** To the callee: the caller saw the accept; the invitation is ACCEPTED. */
    record RemoteInvitationAccepted(String invitationId) implements RtmEvent {}

    record RemoteInvitationRefused(String invitationId) implements RtmEvent {}

    record RemoteInvitationCanceled(String invitationId) implements RtmEvent {}

    record RemoteInvitationFailure(String invitationId, RemoteInvitationFailureReason reason) implements RtmEvent {}

    /** To the caller. */
    record LocalInvitationReceivedByPeer(String invitationId) implements RtmEvent {}

    record LocalInvitationAccepted(String invitationId, String response) implements RtmEvent {}

    record LocalInvitationRefused(String invitationId, String response) implements RtmEvent {}

    record LocalInvitationCanceled(String invitationId) implements RtmEvent {}

    record LocalInvitationFailure(String invitationId, LocalInvitationFailureReason reason)
            implements RtmEvent {}

    /** To the other members of a channel. */
    record ChannelMessage(String channelId, String memberId, String text) implements RtmEvent {}

    /** To the other members: {@code memberId} joined. */
    record MemberJoined(String channelId, String memberId) implements RtmEvent {}

    /** To the other members: {@code memberId} left, logged out, was replaced or went silent. */
    record MemberLeft(String channelId, String memberId) implements RtmEvent {}

    /** To every member, after the member count changed (changes in one service step are sent once). */
    record MemberCountUpdated(String channelId, int memberCount) implements RtmEvent {}
}
