package io.srproxy.rtm;

import java.util.List;
import java.util.Map;

/** The answer to a successful {@link RtmRequest}. */
public sealed interface RtmReply {

    Ok OK = new Ok();

    record Ok() implements RtmReply {}

    /** Answer to {@link RtmRequest.QueryPeersOnlineStatus}: uid to online, in the order asked. */
    record PeersOnline(Map<String, Boolean> peers) implements RtmReply {}

    /** Answer to {@link RtmRequest.GetChannelMembers}: the members' uids, in the order they joined. */
    record ChannelMembers(List<String> members) implements RtmReply {}
}
