package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SipFloodGuardTest {

    private final AtomicLong nanos = new AtomicLong(7_000_000_000L);
    private final SipFloodGuard guard = new SipFloodGuard(5, TrustedPeers.serverOnly("127.0.0.1"), nanos::get);

    private long admitted(String source, int requests) throws Exception {
        InetAddress a = InetAddress.getByName(source);
        return IntStream.range(0, requests).filter(i -> guard.admit(a)).count();
    }

    @Test
    void eachSourceGetsItsBudgetPerSecondAndTheServerIsNeverLimited() throws Exception {
        assertThat(admitted("127.0.0.2", 8)).isEqualTo(5);
        assertThat(admitted("127.0.0.3", 8)).as("another source has its own budget").isEqualTo(5);
        assertThat(admitted("127.0.0.1", 1000)).as("the SIP server").isEqualTo(1000);
        nanos.addAndGet(999_000_000L);
        assertThat(admitted("127.0.0.2", 1)).as("still the same second").isZero();
        nanos.addAndGet(2_000_000L);
        assertThat(admitted("127.0.0.2", 8)).as("next second").isEqualTo(5);
    }

    @Test
    void aSpoofedSourceFloodCannotGrowTheTable() throws Exception {
        byte[] a = {10, 0, 0, 0};
        for (int i = 0; i < io.srproxy.limits.PerSourceRate.MAX_SOURCES; i++) {
            a[2] = (byte) (i >> 8);
            a[3] = (byte) i;
            assertThat(guard.admit(InetAddress.getByAddress(a))).isTrue();
        }
        assertThat(admitted("10.1.0.1", 1)).as("a new source past the table's size").isZero();
        assertThat(admitted("10.0.0.0", 1)).as("a known source keeps its budget").isEqualTo(1);
        assertThat(admitted("127.0.0.1", 1)).isEqualTo(1);
        nanos.addAndGet(1_000_000_000L);
        assertThat(admitted("10.1.0.1", 1)).as("the table starts over each second").isEqualTo(1);
    }

    @Test
    void aRateBelowOneIsRefusedWithItsKey() {
        assertThatThrownBy(() -> new SipFloodGuard(0, TrustedPeers.serverOnly(null), nanos::get))
                .hasMessageContaining("sip_requests_per_second");
    }
}
