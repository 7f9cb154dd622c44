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

    private final RedisCluster cluster;
    private final NodeMessageCodec codec = new NodeMessageCodec();
    /** Sessions of this node, by uid: their keys are refreshed with each heartbeat. */
    private final Map<String, SessionRef> owned = new ConcurrentHashMap<>();
    /** Watched uids and the node they were last known at (absent: offline or unknown). */
    private final Map<String, String> watchedAt = new ConcurrentHashMap<>();
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
        cluster.subscribe(cluster.inbox(nodeId()), this::inbox);
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

    /** With each heartbeat: keep this node's uids; a uid someone else took (and whose message got lost) ends here. */
    private void refresh() {
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
