package io.srproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code [cluster]}: absent means one node; present, its URI, node id and address are checked. */
class ClusterConfigTest {

    private static RtxConfigBinder.Binding bind(String text) {
        return RtxConfigBinder.bind(RtxFile.parse(text, "rtx.conf"));
    }

    @Test
    void absentMeansOneNode() {
        RtxConfig c = bind("[global]\nappid=a\n").config();
        assertThat(c.cluster()).isEqualTo(RtxConfig.Cluster.NONE);
        assertThat(c.cluster().on()).isFalse();
    }

    @Test
    void nodeIdWithoutRedisIsIgnoredWithAWarning() {
        RtxConfigBinder.Binding b = bind("[global]\nappid=a\n[cluster]\nnode_id=n1\n");
        assertThat(b.errors()).isEmpty();
        assertThat(b.warnings()).extracting(ConfigProblem::toString)
                .contains("rtx.conf:4: [cluster] node_id: ignored: [cluster] redis is not set, so this is a single node");
        assertThat(b.config().cluster().on()).isFalse();
    }

    @Test
    void aFullSection() {
        RtxConfig c = bind("[global]\nappid=a\n[rtm]\nip=127.0.0.2\nport=7081\n"
                + "[cluster]\nredis=rediss://:s3cret@redis.example.com:6380/2\nnode_id=node-2\nadvertise=203.0.113.2:7081\n").config();
        assertThat(c.cluster()).isEqualTo(new RtxConfig.Cluster(Optional.of("rediss://:s3cret@redis.example.com:6380/2"),
                "node-2", "203.0.113.2:7081"));
    }

    @Test
    void defaultsNameTheNodeAfterItsHostAndPort() {
        RtxConfig c = bind("[global]\nappid=a\n[rtm]\nip=127.0.0.3\nport=7083\n[cluster]\nredis=redis://127.0.0.1:6379\n").config();
        assertThat(c.cluster().nodeId()).endsWith("-7083");
        assertThat(c.cluster().advertise()).isEqualTo("127.0.0.3:7083");
    }

    @Test
    void badValuesAreNamedWithoutThePassword() {
        RtxConfigBinder.Binding b = bind("[global]\nappid=a\n[cluster]\nredis=http://:pw@host:1\nnode_id=bad/id\n");
        assertThat(b.config()).isNull();
        assertThat(b.errors()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "rtx.conf:4: [cluster] redis: 'http://:****@host:1' must start with redis:// or rediss:// (TLS)",
                "rtx.conf:5: [cluster] node_id: 'bad/id' must be 1..64 of A-Z a-z 0-9 . _ -");
        assertThat(bind("[cluster]\nredis=redis://\n").errors()).extracting(ConfigProblem::toString)
                .containsExactly("rtx.conf:2: [cluster] redis: 'redis://' is not a URI (redis://host:port)");
        assertThat(bind("[cluster]\nredis=redis://:pw@/0\n").errors()).extracting(ConfigProblem::toString)
                .containsExactly("rtx.conf:2: [cluster] redis: 'redis://:****@/0' names no host (redis://host:port)");
        assertThat(bind("[cluster]\nredis=redis://h:1/x\n").errors()).extracting(ConfigProblem::toString)
                .containsExactly("rtx.conf:2: [cluster] redis: 'redis://h:1/x': the path must be a database number (/0../15)");
        assertThat(bind("[cluster]\nredis=redis://h:1\nadvertise=h\n").errors()).extracting(ConfigProblem::toString)
                .containsExactly("rtx.conf:3: [cluster] advertise: 'h' is not host:port (where apps reach this node's [rtm] port)");
    }

    @Test
    void checkOutputMasksThePassword() {
        String text = "[global]\nappid=a\n[cluster]\nredis=redis://user:s3cret@10.0.0.5:6379\nnode_id=n1\n";
        RtxFile file = RtxFile.parse(text, "rtx.conf");
        String out = EffectiveConfig.render(file, RtxConfigBinder.bind(file).config());
        assertThat(out).contains("redis=redis://user:****@10.0.0.5:6379").doesNotContain("s3cret");
        assertThat(RtxConfig.Cluster.redacted("redis://10.0.0.5:6379")).isEqualTo("redis://10.0.0.5:6379");
        assertThat(RtxConfig.Cluster.redacted("redis://pw@h:1")).isEqualTo("redis://****@h:1");
    }
}
