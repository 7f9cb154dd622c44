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
     * Reads which node {@code channelId} lives on, claiming nothing: null when it is this node's,
     * unclaimed, or its node is gone (then whoever joins first takes it); never exceptionally.
     */
    default CompletionStage<Owner> owner(String channelId) {
        return CompletableFuture.completedFuture(null);
    }

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
