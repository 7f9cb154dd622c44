package io.srproxy.rtm.cluster;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.log.LogSafe;
import io.srproxy.rtm.ConnectionChangeReason;
import io.srproxy.rtm.RtmDirectory;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTM directory on Redis. Each logged-in uid has a key naming its node and session, with a
 * TTL its node refreshes at each heartbeat, so a dead node's users expire by themselves; every
 * change of owner is published, in the same atomic step, on the uid's presence channel, which
 * nodes with watchers of that uid subscribe to; other node messages go to the target node's
 * inbox channel. Keys, TTLs and channels: docs/cluster.md.
 */
public final class RedisRtmDirectory implements RtmDirectory {

    private static final Logger log = LoggerFactory.getLogger(RedisRtmDirectory.class);

    /** Take the uid, tell its watchers; answers the previous owner (or nil). */
    private static final String CLAIM = """
            local old = redis.call('GET', KEYS[1])
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('PUBLISH', KEYS[2], 'ON ' .. ARGV[1])
            return old""";
    /** Give the uid up if this session still holds it; only then do watchers hear OFF. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('PUBLISH', KEYS[2], 'OFF ' .. ARGV[1])
              return 1
            end
            return 0""";
    /** Keep the uid: '=' still ours, '+' taken again (Redis had lost it), else the other owner. */
    private static final String REFRESH = """
            local v = redis.call('GET', KEYS[1])
            if v == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return '='
            end
            if not v then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              redis.call('PUBLISH', KEYS[2], 'ON ' .. ARGV[1])
              return '+'
            end
            return v""";

    /** Seq of a channel's next member: one more than its last (join order, for getChannelMembers). */
    private static final String NEXT_SEQ = """
            local function nextSeq(k)
              local last = redis.call('ZRANGE', k, -1, -1, 'WITHSCORES')
              if last[2] then return tonumber(last[2]) + 1 end
              return 1
            end
            local function withNodes(out)
              for _, v in ipairs(redis.call('HVALS', KEYS[1])) do out[#out + 1] = v end
              return out
            end
            """;
    /** Join unless full: {0, count} refused, or {1, count, member values...}. */
    private static final String CH_JOIN = NEXT_SEQ + """
            local n = redis.call('HLEN', KEYS[1])
            local had = redis.call('HEXISTS', KEYS[1], ARGV[1])
            if had == 0 and n >= tonumber(ARGV[3]) then return {0, n} end
            if had == 0 then n = n + 1 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('ZADD', KEYS[2], nextSeq(KEYS[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            return withNodes({1, n})""";
    /** Leave if the entry is still this session's: {removed 0/1, count, member values...}. */
    private static final String CH_LEAVE = NEXT_SEQ + """
            if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return {0, redis.call('HLEN', KEYS[1])} end
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            return withNodes({1, redis.call('HLEN', KEYS[1])})""";
    /** Take out the members of a dead node: {removed n, count, removed uids..., member values...}. */
    private static final String CH_PURGE = NEXT_SEQ + """
            local gone = {}
            local kv = redis.call('HGETALL', KEYS[1])
            for i = 1, #kv, 2 do
              if string.sub(kv[i + 1], 1, #ARGV[1]) == ARGV[1] then
                redis.call('HDEL', KEYS[1], kv[i])
                redis.call('ZREM', KEYS[2], kv[i])
                gone[#gone + 1] = kv[i]
              end
            end
            local out = {#gone, redis.call('HLEN', KEYS[1])}
            for _, u in ipairs(gone) do out[#out + 1] = u end
            return withNodes(out)""";
    /** Keep this node's members (ARGV: ttl, then uid, value pairs); put back those Redis lost. */
    private static final String CH_REFRESH = NEXT_SEQ + """
            for i = 2, #ARGV, 2 do
              if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then
                redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
                redis.call('ZADD', KEYS[2], nextSeq(KEYS[2]), ARGV[i])
              end
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
            return 1""";

    private final RedisCluster cluster;
    private final NodeMessageCodec codec = new NodeMessageCodec();
    /** Sessions of this node, by uid: their keys are refreshed with each heartbeat. */
    private final Map<String, SessionRef> owned = new ConcurrentHashMap<>();
    /** Watched uids and the node they were last known at (absent: offline or unknown). */
    private final Map<String, String> watchedAt = new ConcurrentHashMap<>();
    /** RTM channels with members at this node, and those members by uid: their entries are refreshed with each heartbeat. */
    private final Map<String, Map<String, SessionRef>> channelsHere = new ConcurrentHashMap<>();
    private volatile Node node;

    public RedisRtmDirectory(RedisCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public boolean clustered() {
        return true;
    }

    @Override
    public String nodeId() {
        return cluster.nodeId();
    }

    @Override
    public void start(Node node) {
        this.node = node;
        // other nodes may send here at once (a session here that another node's invitation reached)
        cluster.subscribeConfirmed(cluster.inbox(nodeId()), this::inbox);
        cluster.onHeartbeat(this::refresh);
        cluster.onNodeGone(this::nodeGone);
    }

    private String uidKey(String uid) {
        return cluster.prefix() + "rtm:uid:" + uid;
    }

    private String presenceChannel(String uid) {
        return cluster.prefix() + "rtm:presence:" + uid;
    }

    private static String value(SessionRef s) {
        return s.node() + " " + s.session();
    }

    /** "node session" back to a ref; null when malformed. */
    private static SessionRef parse(String uid, String value) {
        int space = value == null ? -1 : value.lastIndexOf(' ');
        if (space <= 0) {
            return null;
        }
        try {
            return new SessionRef(uid, value.substring(0, space), Long.parseLong(value.substring(space + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String[] keys(String uid) {
        return new String[] {uidKey(uid), presenceChannel(uid)};
    }

    private String ttl() {
        return Long.toString(cluster.timings().ttl().toMillis());
    }

    @Override
    public CompletionStage<Void> claim(SessionRef session) {
        owned.put(session.uid(), session);
        try {
            return cluster.redis().<String>eval(CLAIM, ScriptOutputType.VALUE, keys(session.uid()), value(session), ttl())
                    .handle((old, error) -> {
                        if (error != null) {
                            log.warn("cluster: claiming uid {} failed (the next heartbeat tries again): {}",
                                    LogSafe.of(session.uid()), error.toString());
                            return null;
                        }
                        SessionRef before = parse(session.uid(), old);
                        if (before != null && !before.node().equals(nodeId()) && !cluster.isGone(before.node())) {
                            send(before.node(), new EndSession(nodeId(), before, ConnectionChangeReason.REMOTE_LOGIN));
                        }
                        return null;
                    });
        } catch (RuntimeException e) {
            log.warn("cluster: claiming uid {} failed: {}", LogSafe.of(session.uid()), e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public CompletionStage<Void> release(SessionRef session) {
        owned.remove(session.uid(), session);
        try {
            return cluster.redis().<Long>eval(RELEASE, ScriptOutputType.INTEGER, keys(session.uid()), value(session))
                    .handle((n, error) -> {
                        if (error != null) {
                            log.debug("cluster: releasing uid {} failed (its key expires): {}", LogSafe.of(session.uid()),
                                    error.toString());
                        }
                        return null;
                    });
        } catch (RuntimeException e) {
            log.debug("cluster: releasing uid {} failed (its key expires): {}", LogSafe.of(session.uid()), e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    private String[] channelKeys(String channelId) {
        return new String[] {cluster.prefix() + "rtm:ch:" + channelId, cluster.prefix() + "rtm:chorder:" + channelId};
    }

    /** {@code first} numbers, then {@code uids} uids, then member values: the other live nodes among them. */
    private ChannelChange change(List<Object> result, boolean full) {
        boolean changed = ((Long) result.get(0)) != 0;
        int count = ((Long) result.get(1)).intValue();
        java.util.Set<String> nodes = new java.util.HashSet<>();
        for (int i = 2; i < result.size(); i++) {
            SessionRef at = parse("", (String) result.get(i));
            if (at != null && !at.node().equals(nodeId()) && !cluster.isGone(at.node())) {
                nodes.add(at.node());
            }
        }
        return new ChannelChange(full, changed, count, java.util.Set.copyOf(nodes));
    }

    @Override
    public CompletionStage<ChannelChange> joinChannel(String channelId, SessionRef member, int maxMembers) {
        channelsHere.computeIfAbsent(channelId, k -> new ConcurrentHashMap<>()).put(member.uid(), member);
        CompletionStage<List<Object>> ran;
        try {
            ran = cluster.redis().<List<Object>>eval(CH_JOIN, ScriptOutputType.MULTI, channelKeys(channelId), member.uid(),
                    value(member), Integer.toString(maxMembers), ttl());
        } catch (RuntimeException e) {
            forget(channelId, member);
            throw e;
        }
        return ran.handle((result, error) -> {
            if (error != null) {
                // the join is refused to the app: take out what the script may still have written
                leaveChannel(channelId, member);
                throw error instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(error);
            }
            boolean admitted = ((Long) result.get(0)) != 0;
            if (!admitted) {
                forget(channelId, member);
            }
            return change(result, !admitted);
        });
    }

    @Override
    public CompletionStage<ChannelChange> leaveChannel(String channelId, SessionRef member) {
        forget(channelId, member);
        try {
            return leaveScript(channelId, member);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<ChannelChange> leaveScript(String channelId, SessionRef member) {
        return cluster.redis().<List<Object>>eval(CH_LEAVE, ScriptOutputType.MULTI, channelKeys(channelId), member.uid(),
                value(member)).thenApply(result -> change(result, false));
    }

    private void forget(String channelId, SessionRef member) {
        channelsHere.computeIfPresent(channelId, (k, members) -> {
            members.remove(member.uid(), member);
            return members.isEmpty() ? null : members;
        });
    }

    @Override
    public CompletionStage<List<String>> channelMembers(String channelId) {
        return cluster.redis().zrange(channelKeys(channelId)[1], 0, -1);
    }

    @Override
    public CompletionStage<java.util.Set<String>> channelNodes(String channelId) {
        return cluster.redis().hvals(channelKeys(channelId)[0]).thenApply(values -> {
            java.util.Set<String> nodes = new java.util.HashSet<>();
            for (String v : values) {
                SessionRef at = parse("", v);
                if (at != null && !at.node().equals(nodeId()) && !cluster.isGone(at.node())) {
                    nodes.add(at.node());
                }
            }
            return nodes;
        });
    }

    /** With each heartbeat: this node's channel members stay (or come back after a Redis restart). */
    private void refreshChannels() {
        channelsHere.forEach((channelId, members) -> {
            List<String> args = new java.util.ArrayList<>();
            args.add(ttl());
            members.values().forEach(m -> {
                args.add(m.uid());
                args.add(value(m));
            });
            try {
                cluster.redis().eval(CH_REFRESH, ScriptOutputType.INTEGER, channelKeys(channelId), args.toArray(String[]::new));
            } catch (RuntimeException e) {
                log.debug("cluster: channel refresh failed: {}", e.toString());
            }
        });
    }

    /** A node died: its members leave the channels that have members here (whichever node removes them tells the others). */
    private void purgeChannels(String gone) {
        for (String channelId : List.copyOf(channelsHere.keySet())) {
            try {
                cluster.redis().<List<Object>>eval(CH_PURGE, ScriptOutputType.MULTI, channelKeys(channelId), gone + " ")
                        .thenAccept(result -> {
                            int removed = ((Long) result.get(0)).intValue();
                            if (removed == 0) {
                                return;
                            }
                            List<String> uids = new java.util.ArrayList<>();
                            for (int i = 2; i < 2 + removed; i++) {
                                uids.add((String) result.get(i));
                            }
                            List<Object> rest = new java.util.ArrayList<>(result.subList(0, 2));
                            rest.addAll(result.subList(2 + removed, result.size()));
                            log.info("cluster: {} member(s) of dead node {} left channel {}", removed, LogSafe.of(gone),
                                    LogSafe.of(channelId));
                            node.channelMembersGone(channelId, uids, change(rest, false));
                        });
            } catch (RuntimeException e) {
                log.debug("cluster: channel purge failed: {}", e.toString());
            }
        }
    }

    /** With each heartbeat: keep this node's uids; a uid someone else took (and whose message got lost) ends here. */
    private void refresh() {
        refreshChannels();
        for (SessionRef s : List.copyOf(owned.values())) {
            try {
                cluster.redis().<String>eval(REFRESH, ScriptOutputType.VALUE, keys(s.uid()), value(s), ttl())
                        .thenAccept(result -> {
                            if (result != null && !result.equals("=") && !result.equals("+") && owned.remove(s.uid(), s)) {
                                log.info("cluster: uid {} was taken by {}", LogSafe.of(s.uid()), LogSafe.of(result));
                                node.lostOwnership(s);
                            }
                        });
            } catch (RuntimeException e) {
                log.debug("cluster: refresh failed: {}", e.toString());
                return;
            }
        }
    }

    @Override
    public CompletionStage<Map<String, SessionRef>> locate(Collection<String> uids) {
        List<String> list = List.copyOf(uids);
        io.lettuce.core.RedisFuture<List<KeyValue<String, String>>> values;
        try {
            values = cluster.redis().mget(list.stream().map(this::uidKey).toArray(String[]::new));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        return values.thenApply(got -> {
            Map<String, SessionRef> found = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                KeyValue<String, String> kv = got.get(i);
                SessionRef at = kv.hasValue() ? parse(list.get(i), kv.getValue()) : null;
                if (at != null && !at.node().equals(nodeId()) && !cluster.isGone(at.node())) {
                    found.put(list.get(i), at);
                }
            }
            return found;
        });
    }

    @Override
    public CompletionStage<Void> watch(String uid) {
        CompletionStage<Void> subscribed = cluster.subscribe(presenceChannel(uid), message -> presence(uid, message));
        try {
            cluster.redis().get(uidKey(uid)).thenAccept(v -> {
                SessionRef at = parse(uid, v);
                if (at != null) {
                    watchedAt.putIfAbsent(uid, at.node());
                }
            });
        } catch (RuntimeException e) {
            log.debug("cluster: watch {}: {}", LogSafe.of(uid), e.toString());
        }
        return subscribed;
    }

    @Override
    public void unwatch(String uid) {
        cluster.unsubscribe(presenceChannel(uid));
        watchedAt.remove(uid);
    }

    private void presence(String uid, String message) {
        boolean on = message.startsWith("ON ");
        SessionRef at = parse(uid, message.substring(message.indexOf(' ') + 1));
        if (at == null) {
            return;
        }
        if (on) {
            watchedAt.put(uid, at.node());
            node.presence(uid, at);
        } else {
            watchedAt.remove(uid, at.node());
            node.presence(uid, null);
        }
    }

    /** A node died: the uids watched here that were at it are offline now, whatever their keys still say. */
    private void nodeGone(String gone) {
        node.nodeGone(gone);
        purgeChannels(gone);
        watchedAt.forEach((uid, at) -> {
            if (at.equals(gone) && watchedAt.remove(uid, at)) {
                node.presence(uid, null);
            }
        });
    }

    @Override
    public void send(String to, NodeMessage message) {
        cluster.publish(cluster.inbox(to), codec.encode(message));
    }

    private void inbox(String text) {
        NodeMessage m;
        try {
            m = codec.decode(text);
        } catch (RuntimeException e) {
            log.warn("cluster: dropped a bad node message: {}", LogSafe.of(e.getMessage()));
            return;
        }
        node.received(m);
    }

    @Override
    public void close() {
        cluster.unsubscribe(cluster.inbox(nodeId()));
    }
}
