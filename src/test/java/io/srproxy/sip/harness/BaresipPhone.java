package io.srproxy.sip.harness;

import static org.awaitility.Awaitility.await;

import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.Tones;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's baresip 1.0.0 as a SIP phone: its own config dir, SIP on 127.0.0.1 (or ::1) and a free port,
 * an account registering via Kamailio, auto-answer, a tone WAV as microphone (aufile) and what
 * it hears recorded by the sndfile filter ({@code dump-*-dec.wav}); dialled through ctrl_tcp.
 */
public final class BaresipPhone implements AutoCloseable {

    private final Path dir;
    private final Path recordings;
    private final int ctrlPort;
    private final PeerProcess process;
    private final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Socket ctrl;
    private Thread reader;

    private BaresipPhone(Path dir, Path recordings, int ctrlPort, PeerProcess process) {
        this.dir = dir;
        this.recordings = recordings;
        this.ctrlPort = ctrlPort;
        this.process = process;
    }

    /** Keeps a ctrl_tcp connection open: commands go out on it, events (JSON netstrings) come back. */
    private void connect() throws IOException {
        ctrl = new Socket(InetAddress.getLoopbackAddress(), ctrlPort);
        java.io.InputStream in = ctrl.getInputStream();
        reader = new Thread(() -> {
            try {
                while (true) {
                    int len = 0;
                    int c;
                    while ((c = in.read()) != ':') {
                        if (c < 0) {
                            return;
                        }
                        len = len * 10 + (c - '0');
                    }
                    byte[] body = in.readNBytes(len);
                    in.read(); // the trailing ','
                    events.add(new String(body, StandardCharsets.UTF_8));
                }
            } catch (IOException closed) {
                // phone stopped
            }
        }, "baresip-ctrl");
        reader.setDaemon(true);
        reader.start();
    }

    /** Events and command responses baresip sent on ctrl_tcp, as JSON text. */
    public List<String> events() {
        return events;
    }

    /** Digits baresip reported receiving (CALL_DTMF_START events). */
    public String receivedDigits() {
        StringBuilder b = new StringBuilder();
        for (String e : events) {
            if (e.contains("\"CALL_DTMF_START\"")) {
                int at = e.indexOf("\"param\":\"");
                if (at >= 0) {
                    b.append(e.charAt(at + 9));
                }
            }
        }
        return b.toString();
    }

    /** Sends a DTMF digit from baresip into its current call. */
    public void sendDigit(char digit) {
        command("sndcode", String.valueOf(digit));
    }

    /** The audio codecs baresip loads, its preferred one first (it offers and answers in this order). */
    public enum Codecs {
        G711("g711.so"),
        OPUS_FIRST("opus.so", "g711.so"),
        /** G.722 (16 kHz audio; baresip resamples the 8 kHz tone and records at 16 kHz), then G.711. */
        G722_FIRST("g722.so", "g711.so");

        private final List<String> modules;

        Codecs(String... modules) {
            this.modules = List.of(modules);
        }
    }

    /**
     * How the account reaches Kamailio: {@code transport} (udp, tcp, tls) to {@code serverPort}, and
     * baresip's media encryption ({@code srtp}, {@code srtp-mand}, {@code dtls_srtp}; null = none);
     * {@code host} is the loopback address the phone and the server both use (127.0.0.1 or ::1).
     */
    public record Account(String transport, int serverPort, String mediaenc, String host) {
        public Account(String transport, int serverPort, String mediaenc) {
            this(transport, serverPort, mediaenc, "127.0.0.1");
        }

        public static Account udp(int serverPort) {
            return new Account("udp", serverPort, null);
        }

        /** Over UDP and IPv6 loopback: SIP, RTP and the server on ::1. */
        public static Account udpIpv6(int serverPort) {
            return new Account("udp", serverPort, null, "::1");
        }

        /** {@link #host()} as written in a SIP URI (IPv6 in brackets). */
        String uriHost() {
            return host.contains(":") ? "[" + host + "]" : host;
        }
    }

    /** Starts baresip as {@code user} (password 1234) at the Kamailio on {@code serverPort}, playing {@code toneHz}. */
    public static BaresipPhone start(String user, int serverPort, double toneHz) {
        return start(user, serverPort, toneHz, Codecs.G711);
    }

    /** As {@link #start(String, int, double)}, with {@code codecs} loaded in their order of preference. */
    public static BaresipPhone start(String user, int serverPort, double toneHz, Codecs codecs) {
        return start(user, toneHz, codecs, Account.udp(serverPort));
    }

    /** As {@link #start(String, int, double, Codecs)}, with the account's transport and media encryption. */
    public static BaresipPhone start(String user, double toneHz, Codecs codecs, Account account) {
        Path baresip = Peers.baresip();
        try {
            Path dir = Files.createTempDirectory("srproxy-baresip");
            Path rec = Files.createDirectories(dir.resolve("rec"));
            Path tone = Tones.writeWav(dir.resolve("tone.wav"), Tones.sine(toneHz, 8000, 300, 0.5), 8000); // aufile ends the call when the file ends: 5 min for a slow group call
            int sipPort = sipPortWithTlsNeighbour();
            int ctrl = FreePorts.tcpAndUdp();
            while (ctrl == sipPort || ctrl == sipPort + 1) {
                ctrl = FreePorts.tcpAndUdp();
            }
            int rtpBase = 40000 + 100 * java.util.concurrent.ThreadLocalRandom.current().nextInt(200);
            String config = String.join("\n",
                    "poll_method epoll",
                    "sip_listen " + account.uriHost() + ":" + sipPort,
                    "net_interface " + account.host(),
                    account.host().contains(":") ? "net_prefer_ipv6 yes" : "",
                    "call_local_timeout 120",
                    "call_max_calls 4",
                    "audio_player aubridge,nowhere",
                    "audio_alert aubridge,nowhere",
                    "audio_source aufile," + tone,
                    "ausrc_srate 8000",
                    "auplay_srate 8000",
                    "ausrc_channels 1",
                    "auplay_channels 1",
                    "audio_buffer 20-160",
                    "rtp_ports " + rtpBase + "-" + (rtpBase + 99),
                    "jitter_buffer_delay 1-10",
                    "module_path /usr/lib/baresip/modules",
                    codecs.modules.stream().map(m -> "module " + m).collect(java.util.stream.Collectors.joining("\n")),
                    "module aufile.so",
                    "module aubridge.so",
                    "module sndfile.so",
                    "module ctrl_tcp.so",
                    account.mediaenc() == null ? "" : "module " + (account.mediaenc().startsWith("dtls") ? "dtls_srtp.so" : "srtp.so"),
                    "tls".equals(account.transport()) ? "sip_certificate " + phoneCertificate(dir) : "",
                    "module_tmp account.so",
                    "module_app menu.so",
                    "snd_path " + rec,
                    "ctrl_tcp_listen 127.0.0.1:" + ctrl,
                    "");
            Files.writeString(dir.resolve("config"), config);
            Files.writeString(dir.resolve("accounts"), "<sip:" + user + "@" + account.uriHost() + ":" + account.serverPort()
                    + ";transport=" + account.transport() + ">;auth_pass=1234;answermode=auto;regint=600"
                    + (account.mediaenc() == null ? "" : ";mediaenc=" + account.mediaenc()) + "\n");
            PeerProcess p = PeerProcess.start("baresip", List.of(baresip.toString(), "-f", dir.toString()), dir);
            BaresipPhone phone = new BaresipPhone(dir, rec, ctrl, p);
            await("baresip ctrl_tcp").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                phone.connect();
                return true;
            });
            await("baresip registered as " + user).atMost(Duration.ofSeconds(10)).until(() -> {
                if (!p.isAlive()) {
                    throw new AssertionError("baresip exited:\n" + p.tail());
                }
                return p.output().contains(user + "@" + account.host()) && p.output().contains("200 OK");
            });
            return phone;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A self-signed certificate and its key in one PEM file, as baresip's sip_certificate wants. */
    private static Path phoneCertificate(Path dir) throws IOException {
        try {
            io.srproxy.auth.SelfSignedCertificate.write(dir.resolve("cert.pem"), dir.resolve("key.pem"),
                    List.of("127.0.0.1"), Duration.ofDays(1));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        Path both = dir.resolve("sip-tls.pem");
        Files.writeString(both, Files.readString(dir.resolve("cert.pem")) + Files.readString(dir.resolve("key.pem")));
        return both;
    }

    /** baresip 1.0 also listens for SIP/TLS on the SIP port + 1: both must be free. */
    private static int sipPortWithTlsNeighbour() {
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.tcpAndUdp();
            try (java.net.ServerSocket next = new java.net.ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port pair for baresip");
    }

    /** Dials {@code number} through the SIP server. */
    public void dial(String number) {
        command("dial", number);
    }

    public void hangUp() {
        command("hangup", "");
    }

    private synchronized void command(String command, String params) {
        String json = "{\"command\":\"" + command + "\",\"params\":\"" + params + "\",\"token\":\"t\"}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try {
            OutputStream out = ctrl.getOutputStream();
            out.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write(',');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("baresip ctrl_tcp: " + e.getMessage(), e);
        }
    }

    /** The finished recording of what baresip heard (written by sndfile when the call ends). */
    public Optional<Path> receivedRecording() {
        try (Stream<Path> files = Files.list(recordings)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-dec.wav")).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
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
            if (ctrl != null) {
                ctrl.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        process.close();
    }
}
