package io.srproxy.gateway.cluster;

import io.lettuce.core.ScriptOutputType;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.gateway.GatewayCluster;
import io.srproxy.gateway.LegMessage;
import io.srproxy.log.LogSafe;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's shared state in Redis. {@code gw:acc:<uid>} names the node holding an acc_rule
 * account: set if absent or renewed if ours (one script for all accounts), with the cluster's TTL,
 * so a dead node's accounts are free once its leases expire. {@code gw:call:<hash of Call-ID and
 * From tag>} names the node that took a SIP call (SET NX), then also the final status it gave,
 * which is published on {@code gw:calls} for the nodes holding another branch of the same call.
 * {@code gw:caller:<uid>} names the node whose SIP->app call logs in as per-call identity {@code uid}.
 * Keys and TTLs: docs/cluster.md.
 */
public final class RedisGatewayCluster implements GatewayCluster {

    private static final Logger log = LoggerFactory.getLogger(RedisGatewayCluster.class);

    /** A call's key outlives its INVITE transaction (64*T1) and the longest ring (the 60 s invitation). */
    static final Duration CALL_TTL = Duration.ofSeconds(90);
    /** A branch left waiting this long for the node that took the call answers 480. */
    static final Duration BRANCH_WAIT = CALL_TTL;

    /** Per key: take it if free, renew it if ours; answers each key's holder. */
    private static final String HOLD = """
            local owners = {}
            for i, k in ipairs(KEYS) do
              local v = redis.call('GET', k)
              if not v or v == ARGV[1] then
                redis.call('SET', k, ARGV[1], 'PX', ARGV[2])
                v = ARGV[1]
              end
              owners[i] = v
            end
            return owners""";
    private static final String RELEASE = """
            for _, k in ipairs(KEYS) do
              if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
            end
            return 0""";
    /** '' when this node took the call, else what the key holds: '<node>' or '<node> <status>'. */
    private static final String CLAIM_CALL = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return '' end
            return redis.call('GET', KEYS[1]) or ''""";
    /** Records the final status next to our name and tells the nodes with another branch. */
    private static final String OUTCOME = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'KEEPTTL')
            end
            redis.call('PUBLISH', KEYS[2], ARGV[3] .. ' ' .. ARGV[2])
            return 0""";

    private final RedisCluster cluster;
    private final String outcomes;
    /** Branches here waiting for another node's outcome, by call hash. */
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

    /** A branch here of a call {@code node} took. */
    private record Waiting(String node, CompletableFuture<Integer> outcome) {}

    /** Per-call identities this node claimed ({@code gw:caller:<uid>}), renewed with each heartbeat. */
    private final Set<String> identities = ConcurrentHashMap.newKeySet();

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private volatile java.util.function.Consumer<LegMessage> legs = m -> { };

    public RedisGatewayCluster(RedisCluster cluster) {
        this.cluster = cluster;
        this.outcomes = cluster.prefix() + "gw:calls";
        cluster.subscribeConfirmed(outcomes, this::onOutcome);
        cluster.subscribeConfirmed(legChannel(cluster.nodeId()), this::onLeg);
        cluster.onNodeGone(this::nodeGone);
        cluster.onHeartbeat(this::renewIdentities);
    }

    /** Node {@code node}'s channel for SIP-leg messages. */
    private String legChannel(String node) {
        return cluster.prefix() + "gw:leg:" + node;
    }

    @Override
    public void sendLeg(String node, LegMessage message) {
        try {
            cluster.publish(legChannel(node), JSON.writeValueAsString(message.from(cluster.nodeId())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onLegMessage(java.util.function.Consumer<LegMessage> handler) {
        legs = handler;
    }

    @Override
    public void onNodeGone(java.util.function.Consumer<String> listener) {
        cluster.onNodeGone(listener);
    }

    private void onLeg(String text) {
        LegMessage m;
        try {
            m = JSON.readValue(text, LegMessage.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            log.warn("cluster: unreadable SIP-leg message ignored: {}", LogSafe.of(e.getMessage()));
            return;
        }
        if (m.kind() == null || m.leg() == null || m.from() == null) {
            log.warn("cluster: SIP-leg message without kind, leg or sender ignored");
            return;
        }
        legs.accept(m);
    }

    private String identityKey(String uid) {
        return cluster.prefix() + "gw:caller:" + uid;
    }

    @Override
    public CompletionStage<Boolean> claimIdentity(String uid) {
        try {
            return cluster.redis().<List<Object>>eval(HOLD, ScriptOutputType.MULTI, new String[] {identityKey(uid)},
                            cluster.nodeId(), Long.toString(cluster.timings().ttl().toMillis()))
                    .thenApply(owners -> {
                        boolean ours = !owners.isEmpty() && cluster.nodeId().equals(String.valueOf(owners.get(0)));
                        if (ours) {
                            identities.add(uid);
                        }
                        return ours;
                    })
                    .exceptionally(e -> true);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(true);
        }
    }

    @Override
    public void releaseIdentity(String uid) {
        if (!identities.remove(uid)) {
            return;
        }
        try {
            cluster.redis().<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {identityKey(uid)}, cluster.nodeId())
                    .exceptionally(e -> null);
        } catch (RuntimeException e) {
            log.debug("cluster: identity {} not released (it expires): {}", LogSafe.of(uid), e.toString());
        }
    }

    private void renewIdentities() {
        if (identities.isEmpty()) {
            return;
        }
        try {
            cluster.redis().<List<Object>>eval(HOLD, ScriptOutputType.MULTI,
                    identities.stream().map(this::identityKey).toArray(String[]::new), cluster.nodeId(),
                    Long.toString(cluster.timings().ttl().toMillis())).exceptionally(e -> null);
        } catch (RuntimeException e) {
            log.debug("cluster: identities not renewed: {}", e.toString());
        }
    }

    /** A node that took calls died before answering them: their branches here answer 480 now. */
    private void nodeGone(String node) {
        waiting.values().stream().filter(w -> w.node().equals(node)).forEach(w -> w.outcome().complete(480));
    }

    private String accountKey(String uid) {
        return cluster.prefix() + "gw:acc:" + uid;
    }

    private String callKey(String hash) {
        return cluster.prefix() + "gw:call:" + hash;
    }

    /** Call-IDs are the caller's text: a fixed-size digest keeps the key short and plain. */
    static String callHash(String callId, String fromTag) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((callId + "\n" + fromTag).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public CompletionStage<Set<String>> hold(Collection<String> uids) {
        if (uids.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        List<String> list = List.copyOf(uids);
        String[] keys = list.stream().map(this::accountKey).toArray(String[]::new);
        try {
            return cluster.redis().<List<Object>>eval(HOLD, ScriptOutputType.MULTI, keys, cluster.nodeId(),
                            Long.toString(cluster.timings().ttl().toMillis()))
                    .thenApply(owners -> {
                        Set<String> held = new HashSet<>();
                        for (int i = 0; i < list.size() && i < owners.size(); i++) {
                            if (cluster.nodeId().equals(String.valueOf(owners.get(i)))) {
                                held.add(list.get(i));
                            }
                        }
                        return (Set<String>) held;
                    })
                    .exceptionally(e -> {
                        log.debug("cluster: account leases not renewed: {}", e.toString());
                        return null;
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public void release(Collection<String> uids) {
        if (uids.isEmpty()) {
            return;
        }
        try {
            cluster.redis().<Long>eval(RELEASE, ScriptOutputType.INTEGER,
                            uids.stream().map(this::accountKey).toArray(String[]::new), cluster.nodeId())
                    .toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("cluster: could not give up the account leases (they expire in {} ms): {}",
                    cluster.timings().ttl().toMillis(), e.toString());
        }
    }

    @Override
    public CompletionStage<CallClaim> claimCall(String callId, String fromTag) {
        String hash = callHash(callId, fromTag);
        try {
            return cluster.redis().<String>eval(CLAIM_CALL, ScriptOutputType.VALUE, new String[] {callKey(hash)},
                            cluster.nodeId(), Long.toString(CALL_TTL.toMillis()))
                    .thenCompose(held -> held == null || held.isEmpty() ? CompletableFuture.completedFuture(CallClaim.OURS)
                            : otherBranch(hash, held))
                    .exceptionally(e -> {
                        log.warn("cluster: SIP call {} not claimed in redis, taken here: {}", LogSafe.of(callId), e.toString());
                        return CallClaim.OURS;
                    });
        } catch (RuntimeException e) {
            log.warn("cluster: SIP call {} not claimed in redis, taken here: {}", LogSafe.of(callId), e.toString());
            return CompletableFuture.completedFuture(CallClaim.OURS);
        }
    }

    /** Another node has the call: wait for its outcome (already in the key, or published later). */
    private CompletionStage<CallClaim> otherBranch(String hash, String held) {
        String node = held.split(" ", 2)[0]; // may be this node: the same call again here, on a new transaction
        CompletableFuture<Integer> outcome = waiting.computeIfAbsent(hash, h -> {
            CompletableFuture<Integer> f = new CompletableFuture<Integer>().completeOnTimeout(480,
                    BRANCH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            f.whenComplete((s, e) -> waiting.remove(h));
            return new Waiting(node, f);
        }).outcome();
        if (cluster.isGone(node)) {
            outcome.complete(480); // took it and died
        }
        // the outcome may have come before we listened: read the key again now that we listen
        cluster.redis().get(callKey(hash)).thenAccept(now -> {
            if (now != null && now.indexOf(' ') > 0) {
                statusIn(now).thenAccept(outcome::complete);
            }
        });
        if (held.indexOf(' ') > 0) {
            statusIn(held).thenAccept(outcome::complete);
        }
        return CompletableFuture.completedFuture(new CallClaim(false, node, outcome));
    }

    private static CompletableFuture<Integer> statusIn(String held) {
        int space = held.indexOf(' ');
        try {
            return CompletableFuture.completedFuture(Integer.parseInt(held.substring(space + 1)));
        } catch (NumberFormatException e) {
            return CompletableFuture.completedFuture(480);
        }
    }

    @Override
    public void callOutcome(String callId, String fromTag, int status) {
        String hash = callHash(callId, fromTag);
        try {
            cluster.redis().<Long>eval(OUTCOME, ScriptOutputType.INTEGER, new String[] {callKey(hash), outcomes},
                    cluster.nodeId(), Integer.toString(status), hash).exceptionally(e -> {
                        log.warn("cluster: outcome {} of SIP call {} not shared: {}", status, LogSafe.of(callId), e.toString());
                        return null;
                    });
        } catch (RuntimeException e) {
            log.warn("cluster: outcome {} of SIP call {} not shared: {}", status, LogSafe.of(callId), e.toString());
        }
    }

    /** {@code <hash> <status>} from the node that took a call. */
    private void onOutcome(String message) {
        int space = message.indexOf(' ');
        if (space < 0) {
            return;
        }
        Waiting w = waiting.get(message.substring(0, space));
        if (w != null) {
            CompletableFuture<Integer> f = w.outcome();
            try {
                f.complete(Integer.parseInt(message.substring(space + 1)));
            } catch (NumberFormatException e) {
                f.complete(480);
            }
        }
    }
}
