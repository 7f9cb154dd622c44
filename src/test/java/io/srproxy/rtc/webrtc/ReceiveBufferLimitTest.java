package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiveBufferLimitTest {

    @Test
    void aKernelCapBelowWhatThePortAsksForIsNamedWithTheSysctlThatRaisesIt() {
        assertThat(ReceiveBufferLimit.warning(212_992, 4 << 20, 40000)).hasValueSatisfying(w -> assertThat(w)
                .contains("port 40000", "208 KB", "4096 KB", "net.core.rmem_max", "sysctl -w net.core.rmem_max=4194304"));
    }

    @Test
    void aCapAtOrAboveWhatThePortAsksForNeedsNoWord() {
        assertThat(ReceiveBufferLimit.warning(4 << 20, 4 << 20, 40000)).isEmpty();
        assertThat(ReceiveBufferLimit.warning(16 << 20, 4 << 20, 40000)).isEmpty();
    }

    @Test
    void linuxTellsItsCapAsCatDoes() throws Exception {
        if (System.getProperty("os.name").startsWith("Linux")) {
            Process cat = new ProcessBuilder("cat", "/proc/sys/net/core/rmem_max").start();
            long expected = Long.parseLong(new String(cat.getInputStream().readAllBytes()).trim());
            cat.waitFor();
            assertThat(ReceiveBufferLimit.kernelMax()).hasValue(expected);
        }
    }
}
