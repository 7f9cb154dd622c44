package io.srproxy.rtc.webrtc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The kernel's cap on a socket's receive buffer (Linux {@code net.core.rmem_max}). The media port
 * asks for more than most distributions' default (208 KB) because every call's audio arrives on it:
 * at 25 000 datagrams a second per socket, 208 KB is a few milliseconds of waiting for a core before
 * the kernel drops audio. The load harness found the port overflowing first on a full host.
 */
final class ReceiveBufferLimit {

    private static final Path RMEM_MAX = Path.of("/proc/sys/net/core/rmem_max");

    private ReceiveBufferLimit() {
    }

    /**
     * {@code net.core.rmem_max} in bytes, or empty where it cannot be read (not Linux). Read a line
     * at a time: {@code Files.readString} returned only the first digit of this /proc file.
     */
    static OptionalLong kernelMax() {
        try (java.io.BufferedReader in = Files.newBufferedReader(RMEM_MAX)) {
            String line = in.readLine();
            return line == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(line.trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** What to tell the operator when the kernel caps the port's buffer below {@code wanted} bytes. */
    static Optional<String> warning(long kernelMax, int wanted, int port) {
        if (kernelMax >= wanted) {
            return Optional.empty();
        }
        return Optional.of(String.format(java.util.Locale.ROOT,
                "the RTC media port %d gets a receive buffer of %d KB per socket, not the %d KB it asks for: the kernel caps"
                        + " it at net.core.rmem_max; with a few hundred calls a short wait for a core then drops audio."
                        + " Raise it: sysctl -w net.core.rmem_max=%d",
                port, kernelMax / 1024, wanted / 1024, wanted));
    }
}
