package io.srproxy.rtm;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the RTM service needs to know beyond its own node: where a uid is logged in, presence
 * changes of uids logged in elsewhere, and a way to hand a message to another node. One node
 * ({@link #single()}) knows nothing beyond itself, and the service behaves exactly as before;
 * {@code rtm.cluster} implements it on Redis. Every method is called on the service's thread and
 * must not block; {@link Node} callbacks may come from any thread.
 */
public interface RtmDirectory extends AutoCloseable {

    /** One logged-in session in the cluster: its uid, its node, and the node's number for it. */
    record SessionRef(String uid, String node, long session) {}

    /** What one node's service tells another's (through that node's inbox). */
    sealed interface NodeMessage {
        /** The sending node. */
        String from();
    }

    /** Deliver {@code event} to session {@code to} ({@code to.session() == 0}: to whatever session {@code to.uid()} has there). */
    record Deliver(String from, SessionRef to, RtmEvent event) implements NodeMessage {}

    /** A callee's request about an invitation kept by the receiving node; answered with {@link Answer}. */
    record Forward(String from, SessionRef session, long requestId, RtmRequest request) implements NodeMessage {}

    /** The outcome of a {@link Forward}: {@code error} null when it succeeded. */
    record Answer(String from, long requestId, RtmError error, String message) implements NodeMessage {}

    /** The session ended (or was never there): invitations with it end. */
    record SessionGone(String from, SessionRef session) implements NodeMessage {}

    /** End this session: its uid logged in at the sending node ({@code REMOTE_LOGIN}). */
    record EndSession(String from, SessionRef session, ConnectionChangeReason reason) implements NodeMessage {}

    /** An RTM channel event for the members of {@code channelId} at the receiving node. */
    record ToChannel(String from, String channelId, RtmEvent event) implements NodeMessage {}

    /**
     * A channel's membership after a join or leave in Redis: {@code full} when a join was refused
     * for the members limit, {@code changed} when the step added or removed the member, the count
     * of members cluster-wide, and the other live nodes with members (who are told).
     */
    record ChannelChange(boolean full, boolean changed, int count, java.util.Set<String> nodes) {}

    /** How the directory reaches the service. */
    interface Node {
        void received(NodeMessage message);

        /** {@code uid} came online at {@code where}, or went offline ({@code where} null). */
        void presence(String uid, SessionRef where);

        /** A node stopped heart-beating: its sessions are gone. */
        void nodeGone(String node);

        /** Another session took this session's uid while the message telling us was lost: end it. */
        void lostOwnership(SessionRef session);

        /** Members of a dead node were taken out of a channel with members here (their other nodes are in {@code change}). */
        default void channelMembersGone(String channelId, java.util.List<String> uids, ChannelChange change) {}
    }

    /** One node, no cluster: nobody is logged in elsewhere. */
    static RtmDirectory single() {
        return SingleNode.INSTANCE;
    }

    /** False for {@link #single()}: the service then keeps its single-node behaviour throughout. */
    boolean clustered();

    String nodeId();

    void start(Node node);

    /**
     * This node's session now owns its uid; an owner on another node is ended with REMOTE_LOGIN.
     * Completes (never exceptionally) once every node would find it, or the attempt failed.
     */
    CompletionStage<Void> claim(SessionRef session);

    /** The session ended; the uid goes offline unless another session took it meanwhile. Completes as {@link #claim}. */
    CompletionStage<Void> release(SessionRef session);

    /** Of {@code uids}, those logged in at another live node, and where. */
    CompletionStage<Map<String, SessionRef>> locate(Collection<String> uids);

    /**
     * Start (or stop) hearing {@link Node#presence} for {@code uid}; the service counts its own
     * interest. Completes once changes are heard: a {@link #locate} after that misses none.
     */
    CompletionStage<Void> watch(String uid);

    void unwatch(String uid);

    /**
     * {@code member} joins {@code channelId} unless it has {@code maxMembers} members cluster-wide
     * (one atomic step); this node keeps its entry alive until {@link #leaveChannel}.
     */
    default CompletionStage<ChannelChange> joinChannel(String channelId, SessionRef member, int maxMembers) {
        throw new UnsupportedOperationException("one node");
    }

    /** {@code member} leaves {@code channelId} (if it still is the uid's entry there). */
    default CompletionStage<ChannelChange> leaveChannel(String channelId, SessionRef member) {
        throw new UnsupportedOperationException("one node");
    }

    /** The uids in {@code channelId}, in join order, cluster-wide. */
    default CompletionStage<java.util.List<String>> channelMembers(String channelId) {
        throw new UnsupportedOperationException("one node");
    }

    /** The other live nodes with members in {@code channelId}. */
    default CompletionStage<java.util.Set<String>> channelNodes(String channelId) {
        throw new UnsupportedOperationException("one node");
    }

    /** Hands {@code message} to another node; at most once, in order per pair of nodes. */
    void send(String node, NodeMessage message);

    @Override
    void close();

    /** {@link RtmDirectory#single()}. */
    final class SingleNode implements RtmDirectory {
        static final SingleNode INSTANCE = new SingleNode();

        @Override
        public boolean clustered() {
            return false;
        }

        @Override
        public String nodeId() {
            return "local";
        }

        @Override
        public void start(Node node) {}

        @Override
        public CompletionStage<Void> claim(SessionRef session) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> release(SessionRef session) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Map<String, SessionRef>> locate(Collection<String> uids) {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public CompletionStage<Void> watch(String uid) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void unwatch(String uid) {}

        @Override
        public void send(String node, NodeMessage message) {
            throw new IllegalStateException("one node: there is no node '" + node + "'");
        }

        @Override
        public void close() {}
    }
}
