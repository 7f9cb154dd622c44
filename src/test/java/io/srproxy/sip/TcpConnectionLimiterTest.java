package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class TcpConnectionLimiterTest {

    @Test
    void limitsPerSourceAndInAllAndGivesPlacesBack() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        TcpConnectionLimiter limiter = new TcpConnectionLimiter(3, 2);
        assertThat(limiter.acquire(a)).isTrue();
        assertThat(limiter.acquire(a)).isTrue();
        assertThat(limiter.acquire(a)).as("third from one source").isFalse();
        assertThat(limiter.acquire(b)).isTrue();
        assertThat(limiter.acquire(b)).as("fourth in all").isFalse();
        assertThat(limiter.open()).isEqualTo(3);
        limiter.release(a);
        assertThat(limiter.acquire(b)).isTrue();
        assertThat(limiter.open()).isEqualTo(3);
    }
}
