package io.srproxy;

import io.srproxy.cluster.ClusterTimings;
import io.srproxy.cluster.NodeInfo;
import io.srproxy.cluster.RedisCluster;
import io.srproxy.config.RtxConfig;
import io.srproxy.gateway.GatewayCluster;
import io.srproxy.gateway.cluster.RedisGatewayCluster;
import io.srproxy.rtc.ChannelPlacement;
import io.srproxy.rtc.ChannelRegistry;
import io.srproxy.rtc.cluster.RedisChannelPlacement;
import io.srproxy.rtm.RtmDirectory;
import io.srproxy.rtm.cluster.RedisRtmDirectory;
import io.srproxy.web.HealthModule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Builds this node's part of a cluster ({@code [cluster] redis} set). Kept apart from
 * {@link Srproxy} so that a single node never loads a Redis class: {@code Srproxy} touches this
 * class only when the section is there.
 */
final class ClusterWiring {

    /** The most RTC channels /api/cluster lists (it reads them from Redis when asked). */
    static final int MAX_CHANNELS_SHOWN = 1000;

    /** What the rest of srproxy sees of the cluster, in its own types. */
    record Parts(AutoCloseable link, RtmDirectory directory, Supplier<HealthModule.Check> health,
                 Supplier<Map<String, Object>> view, Rtc rtc, Supplier<GatewayCluster> gateway) {}

    /** The RTC side, attached once the RTC service and the web server are up. */
    interface Rtc {
        /** RTC channels of {@code registry} are placed on nodes; {@code calls} counts this node's calls for its load. */
        ChannelPlacement place(ChannelRegistry registry, String scheme, IntSupplier calls);

        /** The web server is bound to {@code port} (an advertised port 0 becomes it). */
        void boundPort(int port);
    }

    private ClusterWiring() {}

    static Parts start(RtxConfig config, ClusterTimings timings, IntSupplier users) {
        RtxConfig.Cluster c = config.cluster();
        RedisCluster cluster = RedisCluster.start(c.redis().orElseThrow(), config.global().appId(), c.nodeId(),
                c.advertise(), timings, users);
        Rtc rtc = new Rtc() {
            @Override
            public ChannelPlacement place(ChannelRegistry registry, String scheme, IntSupplier calls) {
                cluster.load(registry::size, calls);
                ChannelPlacement p = new RedisChannelPlacement(cluster, scheme, registry::ids);
                registry.placement(p);
                return p;
            }

            @Override
            public void boundPort(int port) {
                cluster.boundPort(port);
            }
        };
        return new Parts(cluster, new RedisRtmDirectory(cluster),
                () -> new HealthModule.Check("cluster", cluster.healthy(), "node " + c.nodeId() + ": " + cluster.status()),
                () -> view(cluster), rtc, () -> new RedisGatewayCluster(cluster));
    }

    private static Map<String, Object> view(RedisCluster cluster) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("enabled", true);
        body.put("node", cluster.nodeId());
        body.put("healthy", cluster.healthy());
        List<NodeInfo> nodes = List.copyOf(cluster.liveNodes().values());
        body.put("nodes", nodes);
        try {
            body.put("channels", RedisChannelPlacement.owners(cluster, MAX_CHANNELS_SHOWN).toCompletableFuture()
                    .get(2, TimeUnit.SECONDS));
        } catch (Exception e) {
            body.put("channels", List.of());
            body.put("channelsError", "redis did not answer: " + e);
        }
        return body;
    }
}
