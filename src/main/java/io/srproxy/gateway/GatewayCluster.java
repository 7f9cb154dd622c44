package io.srproxy.gateway;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the gateway shares with the other nodes of a cluster: which node holds each acc_rule
 * account (a lease: one RTM login, so one call at a time, cluster-wide), and which node takes a
 * SIP call that the SIP server sent to several nodes. {@link #LOCAL} (one node) holds every
 * account and takes every call. The cluster's implementation keeps both in Redis (docs/cluster.md).
 */
public interface GatewayCluster {

    /**
     * Claims the free leases among {@code uids} and renews this node's; completes with the uids this
     * node holds now, or with null when that cannot be known (Redis unreachable: keep what you have).
     */
    CompletionStage<Set<String>> hold(Collection<String> uids);

    /** Gives up this node's leases among {@code uids} (a clean stop): another node takes them at once. */
    void release(Collection<String> uids);

    /**
     * Claims the SIP call {@code (callId, fromTag)} for this node. Completes with {@link CallClaim#OURS}
     * when this node is the first to see it (or when that cannot be known), else with the claim of
     * the node that took it, whose {@code outcome} completes with the final status that node gave
     * (200 when answered); never exceptionally.
     */
    CompletionStage<CallClaim> claimCall(String callId, String fromTag);

    /** This node, which took the call, gave it this final status (200: answered): the other nodes' branches follow it. */
    void callOutcome(String callId, String fromTag, int status);

    /**
     * Claims a per-call RTM identity ({@code sip~<number>}) for this node until {@link #releaseIdentity}:
     * false when another node's call has it (one uid is logged in at one node: a second login would
     * end the first call's session). Completes true when that cannot be known; never exceptionally.
     */
    default CompletionStage<Boolean> claimIdentity(String uid) {
        return CompletableFuture.completedFuture(true);
    }

    /** The call that claimed {@code uid} here is over. */
    default void releaseIdentity(String uid) {}

    /**
     * Sends a message about a SIP leg to {@code node} (pub/sub: at most once; each side times out
     * or watches the other's death). Only called when {@link io.srproxy.rtc.ChannelPlacement}
     * named another node, so never on one node.
     */
    default void sendLeg(String node, LegMessage message) {
        throw new UnsupportedOperationException("one node: there is no other node");
    }

    /** Where other nodes' leg messages go (each with {@code from} set); called on a Redis thread. */
    default void onLegMessage(java.util.function.Consumer<LegMessage> handler) {}

    /** Told the id of a node seen to die. */
    default void onNodeGone(java.util.function.Consumer<String> listener) {}

    /** Whether a SIP call is this node's, and if not, how the node that has it answered. */
    record CallClaim(boolean ours, String node, CompletionStage<Integer> outcome) {
        public static final CallClaim OURS = new CallClaim(true, "", CompletableFuture.completedFuture(0));
    }

    /** One node: it holds every account and takes every call. */
    GatewayCluster LOCAL = new GatewayCluster() {
        @Override
        public CompletionStage<Set<String>> hold(Collection<String> uids) {
            return CompletableFuture.completedFuture(Set.copyOf(uids));
        }

        @Override
        public void release(Collection<String> uids) {}

        @Override
        public CompletionStage<CallClaim> claimCall(String callId, String fromTag) {
            return CompletableFuture.completedFuture(CallClaim.OURS);
        }

        @Override
        public void callOutcome(String callId, String fromTag, int status) {}
    };
}
