package io.srproxy.gateway;

import static org.awaitility.Awaitility.await;

import io.srproxy.rtm.LocalInvitation;
import io.srproxy.rtm.LocalInvitationFailureReason;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.ws.WsRtmClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An app user on the real /rtm WebSocket, remembering every event it saw as a line of text. */
final class AppUser implements RtmListener, AutoCloseable {

    final RtmClient client;
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<RemoteInvitation> invitations = new CopyOnWriteArrayList<>();
    volatile String onInvitation = "none"; // "accept", "refuse:<response>", "none"

    AppUser(int webPort, String appId, String uid) throws Exception {
        this("127.0.0.1", webPort, appId, uid);
    }

    /** At the node on {@code host} (cluster tests: 127.0.0.2 is the second node). */
    AppUser(String host, int webPort, String appId, String uid) throws Exception {
        client = WsRtmClient.create(URI.create("ws://" + host + ":" + webPort + "/rtm"), appId, this);
        client.login(uid, null).get(10, TimeUnit.SECONDS);
    }

    String awaitEvent(Predicate<String> match) {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> events.stream().filter(match).findFirst().orElse(null), e -> e != null);
    }

    String awaitStartingWith(String prefix) {
        return awaitEvent(e -> e.startsWith(prefix));
    }

    LocalInvitation invite(String callee, String content) {
        LocalInvitation inv = client.createLocalInvitation(callee).setContent(content);
        inv.send();
        return inv;
    }

    RemoteInvitation awaitInvitation() {
        return await().atMost(Duration.ofSeconds(15)).until(() -> invitations.isEmpty() ? null : invitations.get(0), i -> i != null);
    }

    @Override
    public void onMessageFromPeer(String text, String peerId) {
        events.add("message " + peerId + " " + text);
    }

    @Override
    public void onRemoteInvitationReceived(RemoteInvitation invitation) {
        events.add("invited by " + invitation.callerId() + " " + invitation.content());
        invitations.add(invitation);
        String action = onInvitation;
        if (action.equals("accept")) {
            invitation.setResponse("{\"Mode\":1,\"Conference\":false,\"UserData\":\"\",\"SipData\":\"\"}").accept();
        } else if (action.startsWith("refuse:")) {
            invitation.setResponse(action.substring("refuse:".length())).refuse();
        }
    }

    @Override
    public void onRemoteInvitationCanceled(RemoteInvitation invitation) {
        events.add("remote canceled");
    }

    @Override
    public void onLocalInvitationReceivedByPeer(LocalInvitation invitation) {
        events.add("received by peer");
    }

    @Override
    public void onLocalInvitationAccepted(LocalInvitation invitation, String response) {
        events.add("accepted " + response);
    }

    @Override
    public void onLocalInvitationRefused(LocalInvitation invitation, String response) {
        events.add("refused " + response);
    }

    @Override
    public void onLocalInvitationFailure(LocalInvitation invitation, LocalInvitationFailureReason reason) {
        events.add("failure " + reason);
    }

    @Override
    public void onLocalInvitationCanceled(LocalInvitation invitation) {
        events.add("canceled");
    }

    @Override
    public void close() {
        client.close();
    }
}
