package io.srproxy;

import io.srproxy.cluster.ClusterTimings;
import io.srproxy.cluster.NodeInfo;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtm.RtmDirectory;
import io.srproxy.rtm.cluster.RedisRtmDirectory;
import io.srproxy.web.HealthModule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Builds this node's part of a cluster ({@code [cluster] redis} set). Kept apart from
 * {@link Srproxy} so that a single node never loads a Redis class: {@code Srproxy} touches this
 * class only when the section is there.
 */
final class ClusterWiring {

    /** What the rest of srproxy sees of the cluster, in its own types. */
    record Parts(AutoCloseable link, RtmDirectory directory, Supplier<HealthModule.Check> health,
                 Supplier<Map<String, Object>> view) {}

    private ClusterWiring() {}

    static Parts start(RtxConfig config, ClusterTimings timings, IntSupplier users) {
        RtxConfig.Cluster c = config.cluster();
        RedisCluster cluster = RedisCluster.start(c.redis().orElseThrow(), config.global().appId(), c.nodeId(),
                c.advertise(), timings, users);
        return new Parts(cluster, new RedisRtmDirectory(cluster),
                () -> new HealthModule.Check("cluster", cluster.healthy(), "node " + c.nodeId() + ": " + cluster.status()),
                () -> view(cluster));
    }

    private static Map<String, Object> view(RedisCluster cluster) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("enabled", true);
        body.put("node", cluster.nodeId());
        body.put("healthy", cluster.healthy());
        List<NodeInfo> nodes = List.copyOf(cluster.liveNodes().values());
        body.put("nodes", nodes);
        return body;
    }
}
