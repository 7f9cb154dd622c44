package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedPeersTest {

    @Test
    void serverAddressAndTrustedBlocksOnly() throws Exception {
        TrustedPeers t = TrustedPeers.of("127.0.0.1", List.of("10.1.2.0/24", "192.0.2.7", "2001:db8::/32"));
        assertThat(t.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(t.allows(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(t.allows(InetAddress.getByName("10.1.2.200"))).isTrue();
        assertThat(t.allows(InetAddress.getByName("10.1.3.1"))).isFalse();
        assertThat(t.allows(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(t.allows(InetAddress.getByName("192.0.2.8"))).isFalse();
        assertThat(t.allows(InetAddress.getByName("2001:db8::1"))).isTrue();
        assertThat(t.allows(null)).isFalse();
    }

    @Test
    void badEntriesAreNamed() {
        assertThatThrownBy(() -> TrustedPeers.of(null, List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> TrustedPeers.of(null, List.of("10.0.0.0/x"))).hasMessageContaining("10.0.0.0/x");
    }
}
