package io.srproxy.sip.harness;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's linphonec (linphone-cli 5.1) as a second SIP phone beside baresip, driven through its
 * command prompt on stdin: its own config file and HOME (never ~/.linphonerc), SIP on 127.0.0.1
 * and a free UDP port (no TCP/TLS), an account registering via Kamailio, and "soundcard use
 * files": a tone WAV as microphone ({@code play}) and what it hears written to a WAV ({@code
 * record}, complete once the call has ended).
 */
public final class LinphonePhone implements AutoCloseable {

    private final Path dir;
    private final Path recording;
    private final int serverPort;
    private final PeerProcess process;
    private final OutputStream stdin;

    private LinphonePhone(Path dir, Path recording, int serverPort, PeerProcess process) {
        this.dir = dir;
        this.recording = recording;
        this.serverPort = serverPort;
        this.process = process;
        this.stdin = process.process().getOutputStream();
    }

    /**
     * Starts linphonec as {@code user} (password 1234) at the Kamailio on {@code serverPort},
     * sending {@code toneHz}, answering every call at once.
     */
    public static LinphonePhone start(String user, int serverPort, double toneHz) {
        Path linphonec = Peers.require("linphonec", "linphone-cli");
        try {
            Path dir = Files.createTempDirectory("srproxy-linphone");
            // liblinphone keeps its database under $HOME/.local/share/linphone and starts no SIP
            // transport at all when it cannot open it
            Files.createDirectories(dir.resolve(".local/share/linphone"));
            Path tone = Tones.writeWav(dir.resolve("tone.wav"), Tones.sine(toneHz, 8000, 60, 0.5), 8000);
            Path recording = dir.resolve("heard.wav");
            int rtp = 40000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(10000);
            String server = "127.0.0.1:" + serverPort;
            Files.writeString(dir.resolve("linphonerc"), String.join("\n",
                    "[sip]",
                    "sip_port=" + FreePorts.tcpAndUdp(),
                    "sip_tcp_port=0", // 0: off (-1 would be a random port)
                    "sip_tls_port=0",
                    "bind_address=127.0.0.1",
                    "use_ipv6=0",
                    "guess_hostname=0",
                    "register_only_when_network_is_up=0",
                    "default_proxy=0",
                    // no GRUU: Kamailio's registrar would hand out sip:user@127.0.0.1;gr=... (its
                    // domain, port 5060), linphone would put it in its Contact and in-dialog
                    // requests (the ACK, a BYE) would be routed there instead of to linphone
                    "supported=replaces, outbound",
                    "[rtp]",
                    "audio_rtp_port=" + rtp,
                    "video_rtp_port=" + (rtp + 2),
                    "text_rtp_port=" + (rtp + 4),
                    "[sound]",
                    "echocancellation=0",
                    "[video]",
                    "enabled=0", "capture=0", "display=0", "automatically_initiate=0", "automatically_accept=0",
                    "[net]",
                    "firewall_policy=0",
                    "[auth_info_0]",
                    "username=" + user,
                    "userid=" + user,
                    "passwd=1234",
                    "[proxy_0]",
                    "reg_proxy=<sip:" + server + ";transport=udp>",
                    "reg_route=<sip:" + server + ";transport=udp;lr>",
                    "reg_identity=<sip:" + user + "@" + server + ">",
                    "reg_expires=600",
                    "reg_sendregister=1",
                    "publish=0",
                    ""));
            List<String> command = List.of(linphonec.toString(), "-c", dir.resolve("linphonerc").toString(), "-d", "0");
            PeerProcess p = PeerProcess.start("linphonec", command, dir, Map.of("HOME", dir.toString(),
                    "XDG_CONFIG_HOME", dir.resolve(".config").toString(), "XDG_DATA_HOME", dir.resolve(".local/share").toString()));
            LinphonePhone phone = new LinphonePhone(dir, recording, serverPort, p);
            phone.command("soundcard use files");
            phone.command("play " + tone);
            phone.command("record " + recording);
            phone.command("autoanswer enable");
            await("linphonec registered as " + user).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!p.isAlive()) {
                    throw new AssertionError("linphonec exited:\n" + p.tail());
                }
                if (p.output().contains("registered, identity=")) {
                    return true;
                }
                phone.command("status register"); // answered "registered, identity=..." once it is
                return false;
            });
            return phone;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Dials {@code number} through the SIP server. */
    public void dial(String number) {
        command("call sip:" + number + "@127.0.0.1:" + serverPort + " --audio-only");
    }

    public void hangUp() {
        command("terminate");
    }

    private synchronized void command(String line) {
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("linphonec stdin: " + e.getMessage() + "\n" + process.tail(), e);
        }
    }

    /** The recording of what linphonec heard (complete once the call has ended). */
    public Path recording() {
        return recording;
    }

    /** Whether linphonec has reported a call ended (its recording is then closed and complete). */
    public boolean callEnded() {
        return process.output().contains(" ended (");
    }

    public String output() {
        return process.output();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            command("quit");
            process.process().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            // already gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.close();
    }
}
