package io.srproxy.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * A private network namespace the test makes and deletes, joined to this host by a veth pair on
 * a /30 of 10.203.0.0/16: {@link #hostAddress()} on this side, {@link #address()} inside. For a
 * peer that gathers no loopback ICE candidate (Firefox): run inside, it sees only the veth and its
 * own loopback, so its one host candidate is the namespace's address, and nothing leaves the
 * machine. Needs root and iproute2 ({@code ip}); with CI=true their absence fails the test,
 * elsewhere it is skipped.
 */
public final class NetNamespace implements AutoCloseable {

    private final String name;
    private final String hostAddress;
    private final String address;

    private NetNamespace(String name, String hostAddress, String address) {
        this.name = name;
        this.hostAddress = hostAddress;
        this.address = address;
    }

    /** Makes a namespace with a fresh name and an unused 10.203.x.0/30 (x random). */
    public static NetNamespace create() {
        String ip = Peers.require("ip", "iproute2").toString();
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        String name = "srproxy-test-" + tag;
        String hostSide = "srph" + tag; // interface names: at most 15 characters
        String nsSide = "srpn" + tag;
        String why;
        try {
            String used = run(List.of(ip, "-4", "-o", "addr"));
            int x = -1;
            for (int attempt = 0; attempt < 50 && x < 0; attempt++) {
                int candidate = ThreadLocalRandom.current().nextInt(1, 255);
                if (!used.contains(" 10.203." + candidate + ".")) {
                    x = candidate;
                }
            }
            if (x < 0) {
                throw new IOException("no unused 10.203.x.0/30");
            }
            NetNamespace ns = new NetNamespace(name, "10.203." + x + ".1", "10.203." + x + ".2");
            run(List.of(ip, "netns", "add", name));
            try {
                run(List.of(ip, "link", "add", hostSide, "type", "veth", "peer", "name", nsSide));
                run(List.of(ip, "link", "set", nsSide, "netns", name));
                run(List.of(ip, "addr", "add", ns.hostAddress + "/30", "dev", hostSide));
                run(List.of(ip, "link", "set", hostSide, "up"));
                run(ns.exec(ip, "addr", "add", ns.address + "/30", "dev", nsSide));
                run(ns.exec(ip, "link", "set", nsSide, "up"));
                run(ns.exec(ip, "link", "set", "lo", "up"));
                return ns;
            } catch (IOException | RuntimeException e) {
                ns.close();
                try {
                    run(List.of(ip, "link", "del", hostSide)); // if it never moved into the namespace
                } catch (IOException gone) {
                    // deleted with the namespace
                }
                throw e;
            }
        } catch (IOException e) {
            why = "cannot make a network namespace (root and iproute2 needed): " + e.getMessage();
        }
        if (Peers.inCi()) {
            Assertions.fail(why);
        }
        assumeTrue(false, why);
        throw new IllegalStateException(why);
    }

    /** Runs a command to completion; its output, or an IOException with it when it fails. */
    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** {@code command} run inside the namespace (for a ProcessBuilder). */
    public List<String> exec(String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        return c;
    }

    public String name() {
        return name;
    }

    /** This host's end of the veth pair, reachable from inside. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The namespace's end, reachable from this host. */
    public String address() {
        return address;
    }

    /** Deletes the namespace (and with it the veth pair); processes still inside should be ended first. */
    @Override
    public void close() {
        try {
            run(List.of("ip", "netns", "del", name));
        } catch (IOException e) {
            System.err.println("network namespace " + name + " not deleted: " + e.getMessage());
        }
    }
}
