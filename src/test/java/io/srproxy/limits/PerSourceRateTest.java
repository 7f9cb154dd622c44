package io.srproxy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PerSourceRateTest {

    private final AtomicLong clock = new AtomicLong(7_000_000_000L);

    @Test
    void eachSourceHasItsOwnBudgetPerSecond() throws Exception {
        PerSourceRate limiter = new PerSourceRate(3, 100, clock::get);
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.admit(a)).isTrue();
        }
        assertThat(limiter.admit(a)).isFalse();
        assertThat(limiter.admit(b)).isTrue();
        clock.addAndGet(1_000_000_000L);
        assertThat(limiter.admit(a)).isTrue();
    }

    @Test
    void aSprayOfAddressesCannotGrowTheTable() throws Exception {
        PerSourceRate limiter = new PerSourceRate(3, 100, clock::get);
        for (int i = 0; i < 1000; i++) {
            limiter.admit(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}));
        }
        assertThat(limiter.sources()).isEqualTo(100);
        assertThat(limiter.admit(InetAddress.getByName("127.0.0.9"))).isFalse();
        clock.addAndGet(1_000_000_000L);
        assertThat(limiter.admit(InetAddress.getByName("127.0.0.9"))).isTrue();
        assertThat(limiter.sources()).isEqualTo(1);
    }
}
