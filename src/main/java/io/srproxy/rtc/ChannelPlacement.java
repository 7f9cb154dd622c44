package io.srproxy.rtc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which node an RTC channel lives on when several nodes share one service ({@code [cluster]}):
 * a channel lives on one node, so its members' media meet there. {@link #LOCAL} (one node) keeps
 * every channel here. The cluster's implementation claims channels in Redis.
 */
public interface ChannelPlacement {

    /** The node a channel lives on, and where its /rtc endpoint is ({@code ws[s]://host:port/rtc}). */
    record Owner(String node, String url) {}

    /**
     * Claims {@code channelId} for this node, unless another live node has it. Completes with null
     * (here: join here) or that node; never exceptionally (when the claim cannot be made the
     * channel is taken here).
     */
    CompletionStage<Owner> claim(String channelId);

    /**
     * As {@link #claim}, for a member that joins here later (a gateway's SIP leg, in the channel
     * from its early media or answer on): when taken here, the claim is kept until
     * {@link #unreserve} even while the channel has no members here, so that /rtc joins meanwhile
     * come here.
     */
    default CompletionStage<Owner> reserve(String channelId) {
        return claim(channelId);
    }

    /** The member {@link #reserve} was for will not join (any more): the claim goes unless the channel has members here. */
    default void unreserve(String channelId) {}

    /** The channel has no members here any more: the claim goes. */
    void released(String channelId);

    /** One node: every channel is here. */
    ChannelPlacement LOCAL = new ChannelPlacement() {
        @Override
        public CompletionStage<Owner> claim(String channelId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void released(String channelId) {}
    };
}
