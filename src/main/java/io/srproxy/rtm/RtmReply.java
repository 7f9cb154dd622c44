package io.srproxy.rtm;

import java.util.Map;

/** The answer to a successful {@link RtmRequest}. */
public sealed interface RtmReply {

    Ok OK = new Ok();

    record Ok() implements RtmReply {}

    /** Answer to {@link RtmRequest.QueryPeersOnlineStatus}: uid to online, in the order asked. */
    record PeersOnline(Map<String, Boolean> peers) implements RtmReply {}
}
