package io.srproxy.rtm;

import java.util.Map;

/** Events of one {@link RtmClient}; called one at a time, in order. Override what you need. */
public interface RtmListener {

    default void onConnectionStateChanged(ConnectionState state, ConnectionChangeReason reason) {}

    default void onMessageFromPeer(String text, String peerId) {}

    default void onPeersOnlineStatusChanged(Map<String, PeerOnlineState> peers) {}

    default void onRemoteInvitationReceived(RemoteInvitation invitation) {}

    default void onRemoteInvitationAccepted(RemoteInvitation invitation) {}

    default void onRemoteInvitationRefused(RemoteInvitation invitation) {}

    default void onRemoteInvitationCanceled(RemoteInvitation invitation) {}

    default void onRemoteInvitationFailure(RemoteInvitation invitation, RemoteInvitationFailureReason reason) {}

    default void onLocalInvitationReceivedByPeer(LocalInvitation invitation) {}

    default void onLocalInvitationAccepted(LocalInvitation invitation, String response) {}

    default void onLocalInvitationRefused(LocalInvitation invitation, String response) {}

    default void onLocalInvitationCanceled(LocalInvitation invitation) {}

    default void onLocalInvitationFailure(LocalInvitation invitation, LocalInvitationFailureReason reason) {}

    /** Another member of {@code channelId} sent {@code text}. */
    default void onChannelMessage(String channelId, String text, String memberId) {}

    default void onMemberJoined(String channelId, String memberId) {}

    default void onMemberLeft(String channelId, String memberId) {}

    default void onMemberCountUpdated(String channelId, int memberCount) {}
}
