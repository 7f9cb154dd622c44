package io.srproxy.rtm;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records a client's events as short lines ("local accepted yes", "presence b=ONLINE") for assertions. */
public final class RecordingListener implements RtmListener {

    public final List<String> events = new CopyOnWriteArrayList<>();
    public final List<RemoteInvitation> remotes = new CopyOnWriteArrayList<>();

    @Override
    public void onConnectionStateChanged(ConnectionState state, ConnectionChangeReason reason) {
        events.add("state " + state + " " + reason);
    }

    @Override
    public void onMessageFromPeer(String text, String peerId) {
        events.add("message " + peerId + ": " + text);
    }

    @Override
    public void onPeersOnlineStatusChanged(Map<String, PeerOnlineState> peers) {
        peers.forEach((uid, st) -> events.add("presence " + uid + "=" + st));
    }

    @Override
    public void onRemoteInvitationReceived(RemoteInvitation inv) {
        remotes.add(inv);
        events.add("remote received from " + inv.callerId() + " content=" + inv.content() + " channel=" + inv.channelId());
    }

    @Override
    public void onRemoteInvitationAccepted(RemoteInvitation inv) {
        events.add("remote accepted");
    }

    @Override
    public void onRemoteInvitationRefused(RemoteInvitation inv) {
        events.add("remote refused");
    }

    @Override
    public void onRemoteInvitationCanceled(RemoteInvitation inv) {
        events.add("remote canceled");
    }

    @Override
    public void onRemoteInvitationFailure(RemoteInvitation inv, RemoteInvitationFailureReason reason) {
        events.add("remote failure " + reason);
    }

    @Override
    public void onLocalInvitationReceivedByPeer(LocalInvitation inv) {
        events.add("local received");
    }

    @Override
    public void onLocalInvitationAccepted(LocalInvitation inv, String response) {
        events.add("local accepted " + response);
    }

    @Override
    public void onLocalInvitationRefused(LocalInvitation inv, String response) {
        events.add("local refused " + response);
    }

    @Override
    public void onLocalInvitationCanceled(LocalInvitation inv) {
        events.add("local canceled");
    }

    @Override
    public void onLocalInvitationFailure(LocalInvitation inv, LocalInvitationFailureReason reason) {
        events.add("local failure " + reason);
    }

    @Override
    public void onChannelMessage(String channelId, String text, String memberId) {
        events.add("channel " + channelId + " message " + memberId + ": " + text);
    }

    @Override
    public void onMemberJoined(String channelId, String memberId) {
        events.add("channel " + channelId + " joined " + memberId);
    }

    @Override
    public void onMemberLeft(String channelId, String memberId) {
        events.add("channel " + channelId + " left " + memberId);
    }

    @Override
    public void onMemberCountUpdated(String channelId, int memberCount) {
        events.add("channel " + channelId + " count " + memberCount);
    }

    /** Waits until the line has been seen. */
    public void awaitEvent(String line) {
        awaitEvent(line, Duration.ofSeconds(10));
    }

    /** As {@link #awaitEvent(String)}, waiting up to {@code atMost}. */
    public void awaitEvent(String line, Duration atMost) {
        await().atMost(atMost).untilAsserted(() ->
                org.assertj.core.api.Assertions.assertThat(events).contains(line));
    }

    /** Waits for the n-th (1-based) remote invitation. */
    public RemoteInvitation awaitRemote(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> remotes.size() >= n);
        return remotes.get(n - 1);
    }

    public boolean saw(String line) {
        return events.contains(line);
    }
}
