package io.srproxy.rtm.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.rtm.ConnectionChangeReason;
import io.srproxy.rtm.PeerOnlineState;
import io.srproxy.rtm.RemoteInvitationFailureReason;
import io.srproxy.rtm.RtmDirectory;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmEvent;
import io.srproxy.rtm.RtmRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of node message, with the events and requests it carries, survives the trip through JSON. */
class NodeMessageCodecTest {

    private final NodeMessageCodec codec = new NodeMessageCodec();
    private final RtmDirectory.SessionRef bob = new RtmDirectory.SessionRef("bob \"quoted\" ü", "node-b", 1764669000000001L);

    @Test
    void roundTrips() {
        List<RtmDirectory.NodeMessage> messages = List.of(
                new RtmDirectory.Deliver("node-a", bob, new RtmEvent.MessageFromPeer("alice", "hi\n{}")),
                new RtmDirectory.Deliver("node-a", bob, new RtmEvent.RemoteInvitationReceived("inv-1", "alice", "{\"Mode\":1}", "ch")),
                new RtmDirectory.Deliver("node-a", bob, new RtmEvent.RemoteInvitationFailure("inv-1", RemoteInvitationFailureReason.PEER_OFFLINE)),
                new RtmDirectory.Deliver("node-a", bob, new RtmEvent.PeersOnlineStatusChanged(Map.of("x", PeerOnlineState.ONLINE))),
                new RtmDirectory.Forward("node-b", bob, 7, new RtmRequest.AcceptInvitation("inv-1", "yes")),
                new RtmDirectory.Forward("node-b", bob, 8, new RtmRequest.AckInvitation("inv-1")),
                new RtmDirectory.Answer("node-a", 7, null, null),
                new RtmDirectory.Answer("node-a", 8, RtmError.ALREADY_END, "no live invitation"),
                new RtmDirectory.SessionGone("node-b", bob),
                new RtmDirectory.EndSession("node-c", bob, ConnectionChangeReason.REMOTE_LOGIN),
                new RtmDirectory.ToChannel("node-a", "room \u5f20", new RtmEvent.ChannelMessage("room \u5f20", "alice", "hi\n{}")),
                new RtmDirectory.ToChannel("node-a", "room", new RtmEvent.MemberJoined("room", "alice")),
                new RtmDirectory.ToChannel("node-a", "room", new RtmEvent.MemberLeft("room", "alice")),
                new RtmDirectory.ToChannel("node-a", "room", new RtmEvent.MemberCountUpdated("room", 3)));
        for (RtmDirectory.NodeMessage m : messages) {
            assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
        }
    }

    @Test
    void strangeInputIsRefusedByName() {
        assertThatThrownBy(() -> codec.decode("{\"t\":\"Exec\"}")).hasMessageContaining("unknown message kind 'Exec'");
        assertThatThrownBy(() -> codec.decode("{\"t\":\"Deliver\",\"eventType\":\"Nope\"}"))
                .hasMessageContaining("unknown event kind 'Nope'");
        assertThatThrownBy(() -> codec.decode("not json")).hasMessageContaining("not a node message");
    }
}
