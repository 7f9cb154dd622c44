package io.srproxy.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.srproxy.log.LogSafe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to the cluster's Redis: one command connection and one pub/sub connection
 * (Lettuce; both reconnect by themselves and the pub/sub one subscribes again), the node's
 * heartbeat key, the list of live nodes, and an inbox channel other nodes publish to. Timers
 * and node-gone callbacks run on one thread, {@code cluster}; pub/sub messages arrive on
 * Lettuce's I/O thread, in order per channel, and must be handed on at once.
 *
 * <p>Keys and channels are named in docs/cluster.md.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;
    private final String nodeId;
    /** host:port where apps reach this node's [rtm] port (a port 0 is made the bound one, see {@link #boundPort}). */
    private volatile String advertise;
    private final ClusterTimings timings;
    private final IntSupplier users;
    private volatile IntSupplier channels = () -> 0;
    private volatile IntSupplier calls = () -> 0;
    private final long startedAt = System.currentTimeMillis();
    private final io.lettuce.core.resource.ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Consumer<String>> subscriptions = new ConcurrentHashMap<>();
    private final List<Consumer<String>> nodeGoneListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> heartbeatListeners = new CopyOnWriteArrayList<>();
    /** Nodes seen alive at the last poll, this one included once its first heartbeat is in. */
    private volatile Map<String, NodeInfo> live = Map.of();
    /** Nodes seen to vanish (until they come back): what Redis still says of their users is stale. */
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private volatile boolean healthy;
    /** When Redis was last found away ({@link System#nanoTime}); see {@link #settling}. */
    private volatile long lostRedisAt;
    private volatile boolean everLostRedis;
    private volatile String lastProblem = "starting";
    private volatile boolean closed;

    private RedisCluster(String redisUri, String appId, String nodeId, String advertise, ClusterTimings timings,
                         IntSupplier users) {
        this.prefix = "srproxy:" + appId + ":";
        this.nodeId = nodeId;
        this.advertise = advertise;
        this.timings = timings;
        this.users = users;
        // two I/O threads are plenty for two connections; reconnect attempts back off to one every 2 s
        this.resources = io.lettuce.core.resource.DefaultClientResources.builder()
                .ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(io.lettuce.core.resource.Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisURI.create(redisUri));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while Redis is away, commands fail at once instead of queueing without bound
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(3)))
                .build());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster");
            t.setDaemon(true);
            return t;
        });
        StatefulRedisConnection<String, String> c = null;
        StatefulRedisPubSubConnection<String, String> p = null;
        try {
            c = client.connect();
            p = client.connectPubSub();
        } catch (RuntimeException e) {
            if (c != null) {
                c.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            scheduler.shutdownNow();
            throw new IllegalStateException("[cluster] redis: cannot connect to "
                    + io.srproxy.config.RtxConfig.Cluster.redacted(redisUri) + ": " + e.getMessage(), e);
        }
        this.connection = c;
        this.pubsub = p;
        client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
                lostRedis();
            }
        });
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                Consumer<String> handler = subscriptions.get(channel);
                if (handler != null) {
                    try {
                        handler.accept(message);
                    } catch (RuntimeException e) {
                        log.warn("cluster message on {} failed: {}", LogSafe.of(channel), e.toString());
                    }
                }
            }
        });
    }

    /**
     * Connects (failing at once when Redis cannot be reached), announces this node and starts
     * its heartbeat. {@code users} is read with each heartbeat, for the node list.
     */
    public static RedisCluster start(String redisUri, String appId, String nodeId, String advertise,
                                     ClusterTimings timings, IntSupplier users) {
        RedisCluster c = new RedisCluster(redisUri, appId, nodeId, advertise, timings, users);
        try {
            c.heartbeat().get(5, TimeUnit.SECONDS);
            c.poll().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            c.close();
            throw new IllegalStateException("[cluster] redis: first heartbeat failed: " + e, e);
        }
        if (c.live.containsKey(nodeId) && c.live.get(nodeId).startedAt() != c.startedAt) {
            log.warn("cluster: node id '{}' was in use by another node: node ids must be unique", LogSafe.of(nodeId));
        }
        long hb = timings.heartbeat().toMillis();
        c.scheduler.scheduleWithFixedDelay(c::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
        long poll = timings.poll().toMillis();
        c.scheduler.scheduleWithFixedDelay(c::poll, poll, poll, TimeUnit.MILLISECONDS);
        log.info("cluster: node '{}' ({}) joined through {}; {} node(s) alive", LogSafe.of(nodeId), LogSafe.of(advertise),
                io.srproxy.config.RtxConfig.Cluster.redacted(redisUri), c.live.size());
        return c;
    }

    /** A node as its key says now (null when it has none: gone, or never there); for nodes not yet in {@link #liveNodes}. */
    public java.util.concurrent.CompletionStage<NodeInfo> lookup(String node) {
        return connection.async().get(nodeKey(node)).thenApply(v -> v == null ? null : parse(v, node));
    }

    /** The load each heartbeat announces besides the users: RTC channels and calls here. */
    public void load(IntSupplier channels, IntSupplier calls) {
        this.channels = channels;
        this.calls = calls;
    }

    /** Where apps reach this node: {@code host:port}. */
    public String advertise() {
        return advertise;
    }

    /** The web server bound {@code port}: an advertised port 0 (tests, ephemeral ports) becomes it from the next heartbeat. */
    public void boundPort(int port) {
        String a = advertise;
        if (a.endsWith(":0")) {
            advertise = a.substring(0, a.length() - 1) + port;
            heartbeat();
        }
    }

    public String nodeId() {
        return nodeId;
    }

    public ClusterTimings timings() {
        return timings;
    }

    /** Every key and channel of this cluster starts with this ({@code srproxy:<appid>:}). */
    public String prefix() {
        return prefix;
    }

    /** The command API (asynchronous; its futures complete on Lettuce's I/O threads). */
    public RedisAsyncCommands<String, String> redis() {
        return connection.async();
    }

    /** The thread timers and cluster callbacks run on. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Nodes alive at the last poll (this one included), by id. */
    public Map<String, NodeInfo> liveNodes() {
        return live;
    }

    public boolean isLive(String node) {
        return node.equals(nodeId) || live.containsKey(node);
    }

    /** The node was alive and has stopped heart-beating (a node not seen yet is not gone). */
    public boolean isGone(String node) {
        return gone.contains(node);
    }

    /** Redis answered the last heartbeat. */
    public boolean healthy() {
        return healthy;
    }

    public String status() {
        return healthy ? live.size() + " node(s) alive" : "redis unreachable: " + lastProblem;
    }

    /** Called on the {@code cluster} thread with the id of a node whose heartbeat key expired. */
    public void onNodeGone(Consumer<String> listener) {
        nodeGoneListeners.add(listener);
    }

    /** Called on the {@code cluster} thread after each heartbeat was sent. */
    public void onHeartbeat(Runnable listener) {
        heartbeatListeners.add(listener);
    }

    /** This node's inbox channel name, or another node's. */
    public String inbox(String node) {
        return prefix + "inbox:" + node;
    }

    /**
     * Receives what is published on {@code channel} (one handler per channel; Lettuce's I/O thread).
     * Completes when Redis confirmed the subscription (or it failed: it is then made again on reconnect).
     */
    public java.util.concurrent.CompletableFuture<Void> subscribe(String channel, Consumer<String> handler) {
        if (subscriptions.put(channel, handler) != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        try {
            return pubsub.async().subscribe(channel).toCompletableFuture().<Void>thenApply(ok -> null).exceptionally(e -> {
                log.warn("cluster: subscribe {} failed: {}", LogSafe.of(channel), e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("cluster: subscribe {} failed: {}", LogSafe.of(channel), e.toString());
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /** How long {@link #subscribeConfirmed} waits for Redis. */
    public static final java.time.Duration SUBSCRIBE_WAIT = java.time.Duration.ofSeconds(5);

    /**
     * {@link #subscribe}, returning once Redis confirmed it (at most {@link #SUBSCRIBE_WAIT}): for a
     * node's own channels, which other nodes may publish to as soon as this node is in use, while
     * pub/sub drops what is published before the subscription.
     */
    public void subscribeConfirmed(String channel, Consumer<String> handler) {
        try {
            subscribe(channel, handler).get(SUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("cluster: redis did not confirm the subscription to {} within {} ms ({}); what is sent there is lost"
                    + " until it does", LogSafe.of(channel), SUBSCRIBE_WAIT.toMillis(), e.toString());
        }
    }

    public void unsubscribe(String channel) {
        if (subscriptions.remove(channel) != null) {
            pubsub.async().unsubscribe(channel);
        }
    }

    /** Fire and forget: pub/sub delivers at most once, to whoever is subscribed now. */
    public void publish(String channel, String message) {
        if (closed) {
            return;
        }
        try {
            connection.async().publish(channel, message).exceptionally(e -> {
                log.debug("cluster: publish to {} failed: {}", LogSafe.of(channel), e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("cluster: publish to {} failed: {}", LogSafe.of(channel), e.toString());
        }
    }

    private String nodeKey(String node) {
        return prefix + "node:" + node;
    }

    private java.util.concurrent.CompletableFuture<Void> heartbeat() {
        String info;
        try {
            info = JSON.writeValueAsString(new NodeInfo(nodeId, advertise, startedAt, users.getAsInt(),
                    channels.getAsInt(), calls.getAsInt()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        RedisAsyncCommands<String, String> r = connection.async();
        java.util.concurrent.CompletableFuture<Void> done;
        try {
            done = r.set(nodeKey(nodeId), info, SetArgs.Builder.px(timings.ttl().toMillis())).toCompletableFuture()
                    .thenCompose(ok -> r.sadd(prefix + "nodes", nodeId).toCompletableFuture())
                    .thenAccept(n -> {
                        if (!healthy) {
                            log.info("cluster: redis reachable, heartbeat in");
                        }
                        healthy = true;
                    });
        } catch (RuntimeException e) {
            done = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        done = done.exceptionally(e -> {
            if (healthy) {
                log.warn("cluster: heartbeat failed: {}", e.toString());
            }
            healthy = false;
            lostRedis();
            lastProblem = e.getMessage();
            return null;
        });
        heartbeatListeners.forEach(l -> scheduler.execute(l));
        return done;
    }

    /** Reads the node list: nodes whose key expired are gone (and removed from the list). */
    private java.util.concurrent.CompletableFuture<Void> poll() {
        RedisAsyncCommands<String, String> r = connection.async();
        try {
            return r.smembers(prefix + "nodes").toCompletableFuture().thenCompose(ids -> {
                List<String> list = new ArrayList<>(ids);
                if (list.isEmpty()) {
                    return java.util.concurrent.CompletableFuture.completedFuture(null);
                }
                return r.mget(list.stream().map(this::nodeKey).toArray(String[]::new)).toCompletableFuture()
                        .thenAcceptAsync(values -> {
                            Map<String, NodeInfo> now = new java.util.TreeMap<>();
                            for (int i = 0; i < list.size(); i++) {
                                var v = values.get(i);
                                if (v.hasValue()) {
                                    now.put(list.get(i), parse(v.getValue(), list.get(i)));
                                } else {
                                    r.srem(prefix + "nodes", list.get(i));
                                }
                            }
                            changed(Map.copyOf(now));
                        }, scheduler);
            }).exceptionally(e -> {
                lostRedis();
                log.debug("cluster: node poll failed: {}", e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    private static NodeInfo parse(String json, String id) {
        try {
            return JSON.readValue(json, NodeInfo.class);
        } catch (JsonProcessingException e) {
            return new NodeInfo(id, "?", 0, 0, 0, 0);
        }
    }

    private void lostRedis() {
        lostRedisAt = System.nanoTime();
        everLostRedis = true;
    }

    /**
     * Redis was away less than a TTL ago. It may have come back empty (a restart), and then every
     * node's key is missing until its next heartbeat: a node missing from the list now may be
     * alive, so it is not declared gone until a TTL has passed since (it would have heart-beaten).
     */
    private boolean settling() {
        return everLostRedis && System.nanoTime() - lostRedisAt < timings.ttl().toNanos();
    }

    private void changed(Map<String, NodeInfo> found) {
        Map<String, NodeInfo> before = live;
        Map<String, NodeInfo> now = found;
        if (settling()) {
            Map<String, NodeInfo> kept = new java.util.TreeMap<>(found);
            before.forEach(kept::putIfAbsent); // not gone yet: see settling()
            now = Map.copyOf(kept);
        }
        live = now;
        gone.removeAll(now.keySet());
        for (String id : before.keySet()) {
            if (!now.containsKey(id) && !id.equals(nodeId)) {
                gone.add(id);
                log.warn("cluster: node '{}' is gone (left, or no heartbeat for {} ms)", LogSafe.of(id), timings.ttl().toMillis());
                for (Consumer<String> l : nodeGoneListeners) {
                    try {
                        l.accept(id);
                    } catch (RuntimeException e) {
                        log.warn("cluster: node-gone listener failed", e);
                    }
                }
            }
        }
        for (String id : now.keySet()) {
            if (!before.containsKey(id) && !id.equals(nodeId) && !before.isEmpty()) {
                log.info("cluster: node '{}' joined", LogSafe.of(id));
            }
        }
    }

    /** Leaves cleanly: this node's key goes at once, so the others need not wait for its expiry. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        try {
            if (connection != null) {
                connection.sync().del(nodeKey(nodeId));
                connection.sync().srem(prefix + "nodes", nodeId);
            }
        } catch (RuntimeException e) {
            log.debug("cluster: could not remove this node's key: {}", e.toString());
        }
        try {
            if (pubsub != null) {
                pubsub.close();
            }
            if (connection != null) {
                connection.close();
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
        log.info("cluster: node '{}' left", LogSafe.of(nodeId));
    }
}
