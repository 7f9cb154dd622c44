package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.SipTestAgent;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keepalive watching the SIP server, against a scripted registrar on a loopback UDP socket
 * (no digest): it answers REGISTER 200 and, when told, OPTIONS 200; "down" it drops everything.
 */
class ServerWatchTest {

    private DatagramSocket server;
    private final ExecutorService readerThread = Executors.newSingleThreadExecutor();
    private volatile boolean down;
    private volatile boolean answersOptions = true;
    /** Restarted between two keepalives: OPTIONS to our own address gets 404 until we register again. */
    private volatile boolean forgotUs;
    /** A server that answers 404 to OPTIONS for any user, registered or not. */
    private volatile boolean neverRoutesOptionsToUsers;
    /** Status codes for the next REGISTERs; 200 once they are used up. */
    private final Queue<Integer> registerAnswers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger registers = new AtomicInteger();
    /** Each REGISTER transaction (Call-ID and CSeq) answered, with its status. */
    private final java.util.Map<String, Integer> registerTransactions = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void listen() throws Exception {
        server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        readerThread.execute(() -> {
            byte[] buf = new byte[8192];
            while (!server.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    server.receive(p);
                    answer(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8), p);
                } catch (Exception closed) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void close() {
        server.close();
        readerThread.shutdownNow();
    }

    private void answer(String request, DatagramPacket from) throws Exception {
        if (down) {
            return;
        }
        int status;
        if (request.startsWith("REGISTER ")) {
            // a retransmission (the agent's timer fired before our answer reached it, on a loaded
            // machine) gets the first answer again: it neither counts nor takes a scripted status
            String transaction = request.lines().filter(l -> l.startsWith("Call-ID:") || l.startsWith("CSeq:"))
                    .collect(Collectors.joining(" "));
            Integer before = registerTransactions.get(transaction);
            if (before != null) {
                status = before;
            } else {
                registers.incrementAndGet();
                Integer next = registerAnswers.poll();
                status = next == null ? 200 : next;
                registerTransactions.put(transaction, status);
                forgotUs = false;
            }
        } else if (request.startsWith("OPTIONS sip:1000@") && (forgotUs || neverRoutesOptionsToUsers)) {
            status = 404;
        } else if (request.startsWith("OPTIONS ") && answersOptions) {
            status = 200;
        } else {
            return;
        }
        String copied = request.lines()
                .filter(l -> l.startsWith("Via:") || l.startsWith("From:") || l.startsWith("Call-ID:") || l.startsWith("CSeq:"))
                .collect(Collectors.joining("\r\n"));
        String to = request.lines().filter(l -> l.startsWith("To:")).findFirst().orElseThrow() + ";tag=registrar";
        String response = "SIP/2.0 " + status + " " + (status == 200 ? "OK" : "Scripted") + "\r\n" + copied + "\r\n" + to
                + "\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
        server.send(new DatagramPacket(bytes, bytes.length, from.getSocketAddress()));
    }

    private SipSettings settings(int registerExpiresSeconds) {
        return SipTestAgent.settings(server.getLocalPort(), "1000", "1234", "[global]\nsip_keepalive=1\n")
                .withRegisterExpires(Duration.ofSeconds(registerExpiresSeconds));
    }

    @Test
    void silenceMarksTheRegistrationUnreachableAndTheServersReturnRegistersAtOnce() {
        try (SipTestAgent a = SipTestAgent.start(settings(600))) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED
                    && a.agent().serverAnswersKeepalive());

            down = true;
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.RETRYING);
            assertThat(r.stateDetail()).isEqualTo("server unreachable");
            assertThat(a.agent().serverAnswersKeepalive()).isFalse();

            int before = registers.get();
            down = false; // back, having forgotten us: the refresh is 570 s away, yet we register now
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
            assertThat(registers.get()).isGreaterThan(before);
            assertThat(r.successfulRegisters()).isEqualTo(2);
        }
    }

    @Test
    void aServerThatNeverAnswersOptionsIsNotTakenForGone() {
        answersOptions = false;
        try (SipTestAgent a = SipTestAgent.start(settings(600))) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
            // three unanswered keepalives (1 s each): still registered
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> r.state() == RegistrationState.REGISTERED);
            assertThat(a.registrationEvents()).noneMatch(e -> e.contains("RETRYING"));
        }
    }

    @Test
    void a403ToARefreshIsRetriedWithBackoffNotTakenForAWrongPassword() {
        try (SipTestAgent a = SipTestAgent.start(settings(2))) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
            registerAnswers.add(403); // the refresh, due after 1 s
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.RETRYING);
            assertThat(r.stateDetail()).startsWith("403");
            // retried after retry_min (2 s), not after the 5 min kept for a wrong password
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
            assertThat(a.registrationEvents()).noneMatch(e -> e.contains("AUTH_FAILED"));
        }
    }

    @Test
    void theKeepalivesFirstAnswerDoesNotCutTheBackoffFromAServerError() {
        registerAnswers.add(500); // the first REGISTER, before any keepalive has been answered
        try (SipTestAgent a = SipTestAgent.start(settings(600))) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.RETRYING);
            int after500 = registers.get();
            // the keepalive's first answer comes after 1 s; the server was answering all along, so
            // the registration waits out retry_min (2 s) instead of registering again at once
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofMillis(1900))
                    .until(() -> r.state() == RegistrationState.RETRYING && registers.get() == after500);
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
        }
    }

    @Test
    void aRegistrarRestartedBetweenTwoKeepalivesIsNoticedByProbingOurOwnAddress() {
        try (SipTestAgent a = SipTestAgent.start(settings(600))) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED
                    && a.agent().serverAnswersKeepalive());
            int before = registers.get();
            forgotUs = true; // never silent: the restart fell between two keepalives
            await().atMost(Duration.ofSeconds(10)).until(() -> registers.get() > before);
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
            assertThat(r.successfulRegisters()).isEqualTo(2);
            assertThat(a.registrationEvents()).noneMatch(e -> e.contains("unreachable"));
        }
    }

    @Test
    void aServerThatAnswers404ForEveryUserIsNotAskedToRegisterOverAndOver() {
        neverRoutesOptionsToUsers = true;
        try (SipTestAgent a = SipTestAgent.start(settings(600))) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.REGISTERED);
            // one REGISTER again on the first 404, then the probe goes to the server: 5 more keepalives change nothing
            await().atMost(Duration.ofSeconds(10)).until(() -> registers.get() == 2);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> registers.get() == 2
                    && r.state() == RegistrationState.REGISTERED);
        }
    }
}
