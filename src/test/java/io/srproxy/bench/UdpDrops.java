package io.srproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Datagrams the kernel dropped at UDP sockets because their receive buffer was full, told apart
 * by the process that owns the socket, from Linux's /proc: a level's loss then says whose socket
 * lost the packets (srproxy's, the harness's or the far ends'), not only that some were lost.
 */
final class UdpDrops {

    /** A UDP socket's local port and its drop count so far. */
    record Socket(int port, long drops) {
    }

    /** Each owned UDP socket (by inode) at one instant. */
    record Snapshot(Map<Long, Socket> sockets) {
        /** Drops since {@code before}, over the sockets open now (a socket opened since counts from zero). */
        long since(Snapshot before) {
            long sum = 0;
            for (long d : byPortSince(before).values()) {
                sum += d;
            }
            return sum;
        }

        /** Drops since {@code before} per local port (several sockets may share one, SO_REUSEPORT), ports with none left out. */
        Map<Integer, Long> byPortSince(Snapshot before) {
            Map<Integer, Long> out = new java.util.TreeMap<>();
            for (Map.Entry<Long, Socket> e : sockets.entrySet()) {
                Socket then = before.sockets.get(e.getKey());
                long d = e.getValue().drops() - (then == null ? 0 : then.drops());
                if (d != 0) {
                    out.merge(e.getValue().port(), d, Long::sum);
                }
            }
            return out;
        }
    }

    /** Host-wide UDP counters of /proc/net/snmp and snmp6: receive-buffer and send-buffer errors. */
    record HostCounters(long receiveBufferErrors, long sendBufferErrors) {
        HostCounters minus(HostCounters before) {
            return new HostCounters(receiveBufferErrors - before.receiveBufferErrors, sendBufferErrors - before.sendBufferErrors);
        }
    }

    private UdpDrops() {
    }

    /** The drop counts of the UDP sockets the processes {@code pids} hold open now. */
    static Snapshot of(long... pids) {
        return of(allSockets(), pids);
    }

    /**
     * One snapshot per group of processes, from one reading of the socket tables (with thousands
     * of sockets a reading takes the harness a tenth of a second or more).
     */
    static Snapshot[] each(long[]... groups) {
        Map<Long, Socket> all = allSockets();
        Snapshot[] out = new Snapshot[groups.length];
        for (int i = 0; i < groups.length; i++) {
            out[i] = of(all, groups[i]);
        }
        return out;
    }

    private static Snapshot of(Map<Long, Socket> all, long... pids) {
        Map<Long, Socket> owned = new HashMap<>();
        for (long pid : pids) {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds.toList()) {
                    long inode = socketInode(fd);
                    Socket socket = inode < 0 ? null : all.get(inode);
                    if (socket != null) {
                        owned.put(inode, socket);
                    }
                }
            } catch (IOException e) {
                // the process ended: it holds nothing
            }
        }
        return new Snapshot(owned);
    }

    static HostCounters host() {
        long[] v4 = snmp(Path.of("/proc/net/snmp"));
        long[] v6 = snmp6(Path.of("/proc/net/snmp6"));
        return new HostCounters(v4[0] + v6[0], v4[1] + v6[1]);
    }

    /** "socket:[123]" -> 123; -1 for any other descriptor (or one closed meanwhile). */
    private static long socketInode(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("socket:[") ? Long.parseLong(target.substring(8, target.length() - 1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Every UDP socket of this network namespace: inode (10th column) -> local port (in the 2nd) and drops (the last). */
    private static Map<Long, Socket> allSockets() {
        Map<Long, Socket> out = new HashMap<>();
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 13) {
                        int port = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                        out.put(Long.parseLong(f[9]), new Socket(port, Long.parseLong(f[f.length - 1])));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no IPv6, or not Linux: nothing to add
            }
        }
        return out;
    }

    /** The "Udp:" header and value lines of /proc/net/snmp: {RcvbufErrors, SndbufErrors}. */
    private static long[] snmp(Path file) {
        try {
            List<String> udp = Files.readAllLines(file).stream().filter(l -> l.startsWith("Udp: ")).toList();
            if (udp.size() >= 2) {
                List<String> names = List.of(udp.get(0).split("\\s+"));
                String[] values = udp.get(1).split("\\s+");
                return new long[] {Long.parseLong(values[names.indexOf("RcvbufErrors")]),
                        Long.parseLong(values[names.indexOf("SndbufErrors")])};
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or another layout: nothing counted
        }
        return new long[2];
    }

    /** /proc/net/snmp6's "Udp6RcvbufErrors n" lines. */
    private static long[] snmp6(Path file) {
        long[] out = new long[2];
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\\s+");
                if (f.length == 2 && f[0].equals("Udp6RcvbufErrors")) {
                    out[0] = Long.parseLong(f[1]);
                } else if (f.length == 2 && f[0].equals("Udp6SndbufErrors")) {
                    out[1] = Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no IPv6
        }
        return out;
    }
}
