package io.srproxy.bench;

import io.srproxy.sip.harness.PeerProcess;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * sipp as the far end of app -> SIP calls: a UAS on {@code port} (where Kamailio routes
 * 9&lt;number&gt;, the PSTN stand-in) answering every call with PCMU at once and echoing its RTP
 * (sipp's -rtp_echo) until the caller's BYE. No limit on calls or time: closed by the harness.
 */
final class SippAnswerers implements AutoCloseable {

    private final PeerProcess process;

    private SippAnswerers(PeerProcess process) {
        this.process = process;
    }

    static SippAnswerers start(Path dir, int port) throws IOException {
        dir = Files.createDirectories(dir).toAbsolutePath();
        Path scenario = dir.resolve("uas_answer.xml");
        try (InputStream in = SippAnswerers.class.getResourceAsStream("/sipp/uas_answer.xml")) {
            Files.write(scenario, in.readAllBytes());
        }
        List<String> cmd = List.of(Peers.sipp().toString(), "-sf", scenario.toString(), "-i", "127.0.0.1",
                "-p", Integer.toString(port), "-mi", "127.0.0.1", "-mp", Integer.toString(FreePorts.tcpAndUdp()),
                "-rtp_echo", "-nostdin", "-trace_err", "-trace_stat", "-stf", dir.resolve("stat.csv").toString(), "-fd", "1");
        return new SippAnswerers(PeerProcess.start("sipp-uas", cmd, dir));
    }

    long pid() {
        return process.process().pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.close();
    }
}
