package io.srproxy.rtm;

import io.srproxy.log.LogSafe;
import io.srproxy.log.LogSetup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RTM channels: who is in which, and their events. Runs on the service's executor, like
 * {@link Presence}. A channel exists while it has members. MemberJoined, MemberLeft and
 * ChannelMessage go to the other members at once; MemberCountUpdated goes to every member after
 * the step that changed the count (so after the join reply, and once per channel however many
 * members one step removed, e.g. a session leaving on logout or a shutdown).
 */
final class Channels {

    private static final Logger log = LoggerFactory.getLogger(Channels.class);

    private final ChannelLimits limits;
    private final Executor afterThisStep;
    /** Members in join order; a channel without members is removed. */
    private final Map<String, Set<Connection>> channels = new HashMap<>();
    private final Set<String> countChanged = new LinkedHashSet<>();
    /**
     * Several nodes: the members limit and the counts are the cluster's (Redis), so a leave here
     * sends no count of its own and counts come from {@link #countIs}.
     */
    private final boolean clustered;
    /** Counts the cluster reported, sent instead of the members here. */
    private final Map<String, Integer> clusterCounts = new HashMap<>();
    /** channels.size(), for readers off the service's thread (metrics). */
    private volatile int count;

    /** {@code afterThisStep} is the service's executor: what it runs comes after the current request's reply. */
    Channels(ChannelLimits limits, Executor afterThisStep) {
        this(limits, afterThisStep, false);
    }

    Channels(ChannelLimits limits, Executor afterThisStep, boolean clustered) {
        this.limits = limits;
        this.afterThisStep = afterThisStep;
        this.clustered = clustered;
    }

    ChannelLimits limits() {
        return limits;
    }

    void join(Connection c, String channelId) {
        checkJoin(c, channelId);
        Set<Connection> members = channels.get(channelId);
        if (members != null && members.size() >= limits.maxMembers()) {
            throw new RtmException(RtmError.CHANNEL_FULL, "channel '" + channelId + "' has " + members.size()
                    + " members, its limit ([limits] rtm_channel_members)");
        }
        c.channels.add(channelId);
        add(c, channelId);
        countChanged(channelId);
    }

    /**
     * Several nodes, first step of a join: the checks of this session's own channels, and the
     * channel held for it (a second join meanwhile is ALREADY_JOINED) until {@link #joined} or {@link #unreserve}.
     */
    void reserve(Connection c, String channelId) {
        checkJoin(c, channelId);
        c.channels.add(channelId);
    }

    void unreserve(Connection c, String channelId) {
        c.channels.remove(channelId);
    }

    /** Several nodes: Redis took the join; false when the session left the channel meanwhile. */
    boolean joined(Connection c, String channelId, int count) {
        if (!c.channels.contains(channelId)) {
            return false;
        }
        add(c, channelId);
        countIs(channelId, count);
        return true;
    }

    /** Several nodes: the channel has {@code count} members cluster-wide; its members here are told after this step. */
    void countIs(String channelId, int count) {
        if (channels.containsKey(channelId)) {
            clusterCounts.put(channelId, count);
            countChanged(channelId);
        }
    }

    /** Several nodes: an event from another node for the members here. */
    void deliverHere(String channelId, RtmEvent event) {
        Set<Connection> members = channels.get(channelId);
        if (members != null) {
            for (Connection m : members) {
                m.deliver(event);
            }
        }
    }

    /** Several nodes: whether the channel has members here. */
    boolean hasMembersHere(String channelId) {
        return channels.containsKey(channelId);
    }

    private void checkJoin(Connection c, String channelId) {
        if (c.channels.contains(channelId)) {
            throw new RtmException(RtmError.ALREADY_JOINED, "'" + c.uid + "' is already in channel '" + channelId + "'");
        }
        if (c.channels.size() >= limits.maxChannelsPerUser()) {
            throw new RtmException(RtmError.TOO_MANY_CHANNELS, "'" + c.uid + "' is in " + c.channels.size()
                    + " channels, the most one user may join ([limits] rtm_channels_per_user); leave one first");
        }
    }

    private void add(Connection c, String channelId) {
        Set<Connection> members = channels.get(channelId);
        if (members == null) {
            members = new LinkedHashSet<>();
            channels.put(channelId, members);
            count = channels.size();
        }
        RtmEvent joined = new RtmEvent.MemberJoined(channelId, c.uid);
        for (Connection m : members) {
            m.deliver(joined);
        }
        members.add(c);
        log.debug("{} joined channel {} ({} members here)", c, LogSafe.of(channelId), members.size());
    }

    void leave(Connection c, String channelId) {
        if (!c.channels.remove(channelId)) {
            throw notIn(c, channelId);
        }
        remove(c, channelId);
    }

    /** The session ends (logout, replaced, silent, closed): it leaves every channel it is in; answers those channels. */
    List<String> leaveAll(Connection c) {
        List<String> left = List.copyOf(c.channels);
        for (String channelId : left) {
            c.channels.remove(channelId);
            remove(c, channelId);
        }
        return left;
    }

    /** Throws NOT_IN_CHANNEL unless {@code c} joined {@code channelId}. */
    void requireMember(Connection c, String channelId) {
        if (!c.channels.contains(channelId)) {
            throw notIn(c, channelId);
        }
    }

    List<String> members(Connection c, String channelId) {
        requireMember(c, channelId);
        List<String> uids = new ArrayList<>();
        for (Connection m : channels.get(channelId)) {
            uids.add(m.uid);
        }
        return uids;
    }

    void send(Connection c, String channelId, String text) {
        if (!c.channels.contains(channelId)) {
            throw notIn(c, channelId);
        }
        if (LogSetup.sensitive()) {
            log.trace("channel message {} -> {}: {}", c.uid, LogSafe.of(channelId), LogSafe.of(text));
        }
        RtmEvent message = new RtmEvent.ChannelMessage(channelId, c.uid, text);
        for (Connection m : channels.getOrDefault(channelId, Set.of())) {
            if (m != c) {
                m.deliver(message);
            }
        }
    }

    /** Channels with members now; any thread. */
    int count() {
        return count;
    }

    private void remove(Connection c, String channelId) {
        Set<Connection> members = channels.get(channelId);
        if (members == null || !members.remove(c)) {
            return;
        }
        log.debug("{} left channel {} ({} members)", c, LogSafe.of(channelId), members.size());
        if (members.isEmpty()) {
            channels.remove(channelId);
            clusterCounts.remove(channelId);
            count = channels.size();
            return;
        }
        RtmEvent left = new RtmEvent.MemberLeft(channelId, c.uid);
        for (Connection m : members) {
            m.deliver(left);
        }
        if (!clustered) {
            countChanged(channelId);
        }
    }

    private void countChanged(String channelId) {
        if (countChanged.isEmpty()) {
            afterThisStep.execute(this::sendCounts);
        }
        countChanged.add(channelId);
    }

    private void sendCounts() {
        for (String channelId : List.copyOf(countChanged)) {
            Set<Connection> members = channels.get(channelId);
            Integer n = clusterCounts.remove(channelId);
            if (members != null) {
                RtmEvent count = new RtmEvent.MemberCountUpdated(channelId, n != null ? n : members.size());
                for (Connection m : members) {
                    m.deliver(count);
                }
            }
        }
        countChanged.clear();
    }

    private static RtmException notIn(Connection c, String channelId) {
        return new RtmException(RtmError.NOT_IN_CHANNEL, "'" + c.uid + "' has not joined channel '" + channelId + "'");
    }
}
