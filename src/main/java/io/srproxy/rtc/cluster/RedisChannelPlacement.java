package io.srproxy.rtc.cluster;

import io.lettuce.core.ScriptOutputType;
import io.srproxy.cluster.NodeInfo;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.log.LogSafe;
import io.srproxy.rtc.ChannelPlacement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RTC channels placed on nodes through Redis: {@code rtc:ch:<channel>} names the node a channel
 * lives on, set if absent (atomically, so two nodes cannot both take it) with the cluster's TTL,
 * refreshed with each heartbeat while the channel has members here and deleted when it empties.
 * A claim finding a live node's name answers that node; a dead node's name is taken over.
 * Keys and TTLs: docs/cluster.md.
 */
public final class RedisChannelPlacement implements ChannelPlacement {

    private static final Logger log = LoggerFactory.getLogger(RedisChannelPlacement.class);

    /** Take the channel unless someone has it; answers the owner (this node when taken). */
    private static final String CLAIM = """
            local v = redis.call('GET', KEYS[1])
            if not v or v == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return ARGV[1]
            end
            return v""";
    /** Take it over from a dead owner, if the key still names that owner. */
    private static final String TAKE_OVER = """
            local v = redis.call('GET', KEYS[1])
            if not v or v == ARGV[2] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
              return ARGV[1]
            end
            return v""";
    /** Give it up if it is still this node's. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    private final RedisCluster cluster;
    private final String scheme;
    private final Supplier<Set<String>> here;
    /** Channels this node claimed and still has. */
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();
    /** Channels claimed for members still to come ({@link #reserve}), with how many: kept while empty here. */
    private final Map<String, Integer> reserved = new ConcurrentHashMap<>();

    /**
     * @param scheme {@code ws} or {@code wss}: how apps reach every node's /rtc
     * @param here   the ids of the channels with members at this node now
     */
    public RedisChannelPlacement(RedisCluster cluster, String scheme, Supplier<Set<String>> here) {
        this.cluster = cluster;
        this.scheme = scheme;
        this.here = here;
        cluster.onHeartbeat(this::refresh);
    }

    private String key(String channelId) {
        return cluster.prefix() + "rtc:ch:" + channelId;
    }

    private String ttl() {
        return Long.toString(cluster.timings().ttl().toMillis());
    }

    @Override
    public CompletionStage<Owner> claim(String channelId) {
        try {
            return cluster.redis().<String>eval(CLAIM, ScriptOutputType.VALUE, new String[] {key(channelId)}, cluster.nodeId(), ttl())
                    .thenCompose(owner -> owned(channelId, owner, true))
                    .exceptionally(e -> degraded(channelId, e));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(degraded(channelId, e));
        }
    }

    @Override
    public CompletionStage<Owner> reserve(String channelId) {
        reserved.merge(channelId, 1, Integer::sum); // before the claim, so that a heartbeat meanwhile keeps it
        return claim(channelId).thenApply(owner -> {
            if (owner != null) {
                drop(channelId);
            }
            return owner;
        });
    }

    @Override
    public void unreserve(String channelId) {
        if (drop(channelId) && !here.get().contains(channelId)) {
            released(channelId);
        }
    }

    /** One reservation of the channel fewer; true when none is left. */
    private boolean drop(String channelId) {
        return reserved.computeIfPresent(channelId, (id, n) -> n > 1 ? n - 1 : null) == null;
    }

    private CompletionStage<Owner> owned(String channelId, String owner, boolean mayTakeOver) {
        if (owner == null || owner.equals(cluster.nodeId())) {
            claimed.add(channelId);
            return CompletableFuture.completedFuture(null);
        }
        NodeInfo info = cluster.liveNodes().get(owner);
        if (info != null && !cluster.isGone(owner)) {
            return CompletableFuture.completedFuture(new Owner(owner, url(info.advertise())));
        }
        if (info == null && !cluster.isGone(owner) && mayTakeOver) { // a node newer than our last look at the list?
            return cluster.lookup(owner).thenCompose(found -> found != null
                    ? CompletableFuture.completedFuture(new Owner(owner, url(found.advertise())))
                    : owned(channelId, owner, true, true));
        }
        return owned(channelId, owner, mayTakeOver, true);
    }

    private CompletionStage<Owner> owned(String channelId, String owner, boolean mayTakeOver, boolean dead) {
        if (!mayTakeOver) {
            return CompletableFuture.completedFuture(null); // unknown to us twice: keep it here rather than loop
        }
        log.info("cluster: RTC channel {} was at node {}, which is gone: taken over", LogSafe.of(channelId), LogSafe.of(owner));
        return cluster.redis().<String>eval(TAKE_OVER, ScriptOutputType.VALUE, new String[] {key(channelId)}, cluster.nodeId(),
                owner, ttl()).thenCompose(now -> owned(channelId, now, false));
    }

    private Owner degraded(String channelId, Throwable e) {
        log.warn("cluster: placing RTC channel {} failed, it stays here: {}", LogSafe.of(channelId), e.toString());
        claimed.add(channelId);
        return null;
    }

    private String url(String advertise) {
        return scheme + "://" + advertise + "/rtc";
    }

    @Override
    public void released(String channelId) {
        if (reserved.containsKey(channelId)) {
            return; // emptied, but a member is still to come: keep it
        }
        claimed.remove(channelId);
        try {
            cluster.redis().eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key(channelId)}, cluster.nodeId());
        } catch (RuntimeException e) {
            log.debug("cluster: releasing RTC channel {} failed (its key expires): {}", LogSafe.of(channelId), e.toString());
        }
    }

    /** With each heartbeat: the claims of the channels here stay (and come back after a Redis restart). */
    private void refresh() {
        Set<String> now = new java.util.HashSet<>(here.get());
        now.addAll(reserved.keySet());
        claimed.retainAll(now);
        for (String channelId : now) {
            try {
                cluster.redis().<String>eval(CLAIM, ScriptOutputType.VALUE, new String[] {key(channelId)}, cluster.nodeId(), ttl())
                        .thenAccept(owner -> {
                            if (owner != null && !owner.equals(cluster.nodeId()) && claimed.remove(channelId)) {
                                log.warn("cluster: RTC channel {} is here and at node {} (claimed there while Redis was away)",
                                        LogSafe.of(channelId), LogSafe.of(owner));
                            } else {
                                claimed.add(channelId);
                            }
                        });
            } catch (RuntimeException e) {
                log.debug("cluster: RTC channel refresh failed: {}", e.toString());
                return;
            }
        }
    }

    /** Where RTC channels live, cluster-wide (for /api/cluster): at most {@code max} of them, by name, each with its node. */
    public static CompletionStage<List<Map<String, String>>> owners(RedisCluster cluster, int max) {
        String prefix = cluster.prefix() + "rtc:ch:";
        io.lettuce.core.ScanArgs args = io.lettuce.core.ScanArgs.Builder.matches(prefix + "*").limit(500);
        return scan(cluster, io.lettuce.core.ScanCursor.INITIAL, args, new java.util.TreeSet<>(), max).thenCompose(keys -> {
            if (keys.isEmpty()) {
                return CompletableFuture.completedFuture(List.<Map<String, String>>of());
            }
            List<String> list = List.copyOf(keys);
            return cluster.redis().mget(list.toArray(String[]::new)).thenApply(values -> {
                List<Map<String, String>> out = new java.util.ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    if (values.get(i).hasValue()) {
                        out.add(Map.of("channel", list.get(i).substring(prefix.length()), "node", values.get(i).getValue()));
                    }
                }
                return out;
            });
        });
    }

    private static CompletionStage<java.util.TreeSet<String>> scan(RedisCluster cluster, io.lettuce.core.ScanCursor cursor,
                                                                  io.lettuce.core.ScanArgs args, java.util.TreeSet<String> keys,
                                                                  int max) {
        return cluster.redis().scan(cursor, args).thenCompose(page -> {
            for (String k : page.getKeys()) {
                if (keys.size() < max) {
                    keys.add(k);
                }
            }
            if (page.isFinished() || keys.size() >= max) {
                return CompletableFuture.completedFuture(keys);
            }
            return scan(cluster, page, args, keys, max);
        });
    }
}
