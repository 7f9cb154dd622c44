package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class RtpIoLoopsTest {

    @Test
    void sessionsSpreadOverTheLoopsAndLeaveThemWhenClosed() throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        int base = 20000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(15000); // as RtpSessionTest
        RtpPortAllocator ports = new RtpPortAllocator(InetAddress.getLoopbackAddress(), base, base + 200);
        List<RtpSession> sessions = new ArrayList<>();
        try (RtpIoLoops loops = new RtpIoLoops("test-rtp-io", 3)) {
            assertThat(loops.size()).isEqualTo(3);
            for (int i = 0; i < 7; i++) {
                sessions.add(RtpSession.open(ports, loops.leastLoaded(), timers, System::nanoTime,
                        new RtpSession.Options(Duration.ZERO, Duration.ofSeconds(5)), null));
            }
            assertThat(loops.sessions()).containsExactlyInAnyOrder(3, 2, 2);
            sessions.forEach(RtpSession::close);
            assertThat(loops.sessions()).containsOnly(0);
        } finally {
            sessions.forEach(RtpSession::close);
            timers.shutdownNow();
        }
    }

    @Test
    void zeroThreadsMeansOnePerProcessor() {
        try (RtpIoLoops loops = new RtpIoLoops("test-rtp-io-auto", 0)) {
            assertThat(loops.size()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }
}
