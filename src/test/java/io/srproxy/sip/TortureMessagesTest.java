package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.sip.harness.SipTestAgent.TestCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 4475's torture messages (src/test/resources/rfc4475, bit-exact from the RFC's appendix A),
 * each sent over UDP from 127.0.0.1 (the configured SIP server, so trusted) to a running agent;
 * the agent must answer each as RFC 3261 says for a UA, or drop what cannot be answered, and keep
 * working afterwards.
 *
 * <p>One rewrite, so that answers reach this test and messages stay apart: the topmost Via's transport becomes UDP and
 * its sent-by becomes a test socket of the message's own (the RFC's hosts are in documentation ranges),
 * and its branch gets the message's name appended (see {@link #rewriteTopVia}). Version,
 * parameters, folding and everything else stay verbatim; the Request-URI needs no rewrite (a UA
 * takes any host in it).
 */
class TortureMessagesTest {

    /**
     * Expected final answer of one message: one of {@code statuses} (more than one where RFC 4475
     * lets an element be liberal), carrying {@code mustContain}; no statuses: no answer at all.
     */
    private record Expect(Set<Integer> statuses, String mustContain) {
        static Expect status(int status) {
            return new Expect(Set.of(status), "");
        }

        static Expect status(int status, String mustContain) {
            return new Expect(Set.of(status), mustContain);
        }

        static Expect eitherOf(int strict, int liberal) {
            return new Expect(Set.of(strict, liberal), "");
        }

        static Expect dropped() {
            return new Expect(Set.of(), "");
        }
    }

    private static final String ALLOW = "Allow: " + SipRequests.ALLOWED_METHODS;

    /** RFC 4475 section, then what a UA that takes INVITE/OPTIONS/CANCEL/BYE/ACK/UPDATE/INFO answers. */
    private static final Map<String, Expect> EXPECTED = new LinkedHashMap<>();

    static {
        // 3.1.1 valid messages
        EXPECTED.put("wsinv", Expect.status(481)); // To carries a tag: a dialog we do not have (RFC 3261 12.2.2)
        EXPECTED.put("intmeth", Expect.status(501, ALLOW)); // a method nobody knows
        EXPECTED.put("esc01", Expect.status(404)); // INVITE: the test's handler knows no user
        EXPECTED.put("escnull", Expect.status(405, ALLOW)); // REGISTER: we are no registrar
        EXPECTED.put("esc02", Expect.status(501, ALLOW)); // RE%47IST%45R is not REGISTER
        EXPECTED.put("lwsdisp", Expect.status(200));
        EXPECTED.put("longreq", Expect.status(404));
        EXPECTED.put("dblreq", Expect.status(405, ALLOW)); // the REGISTER; the INVITE after it is trailing octets
        EXPECTED.put("semiuri", Expect.status(200));
        EXPECTED.put("transports", Expect.status(200));
        EXPECTED.put("mpart01", Expect.status(405, ALLOW)); // MESSAGE
        EXPECTED.put("unreason", Expect.dropped()); // responses matching nothing are dropped
        EXPECTED.put("noreason", Expect.dropped());
        // 3.1.2 invalid messages
        EXPECTED.put("badinv01", Expect.status(400));
        EXPECTED.put("clerr", Expect.status(400, "Content-Length"));
        EXPECTED.put("ncl", Expect.status(400, "Content-Length"));
        EXPECTED.put("scalar02", Expect.status(400));
        EXPECTED.put("scalarlg", Expect.dropped());
        EXPECTED.put("quotbal", Expect.status(400));
        EXPECTED.put("ltgtruri", Expect.status(400));
        EXPECTED.put("lwsruri", Expect.status(400));
        EXPECTED.put("lwsstart", Expect.status(400, "Request-Line"));
        EXPECTED.put("trws", Expect.status(400, "Request-Line"));
        EXPECTED.put("escruri", Expect.status(400));
        EXPECTED.put("baddate", Expect.eitherOf(400, 404)); // 3.1.2.12: may ignore a Date it does not use
        EXPECTED.put("regbadct", Expect.eitherOf(400, 405)); // REGISTER: the method is refused first
        EXPECTED.put("badaspec", Expect.eitherOf(400, 200)); // 3.1.2.14: may ignore the spaces
        EXPECTED.put("baddn", Expect.eitherOf(400, 200)); // 3.1.2.15: may infer the quotes
        EXPECTED.put("badvers", Expect.status(505, "SIP/7.0"));
        EXPECTED.put("mismatch01", Expect.status(400));
        EXPECTED.put("mismatch02", Expect.eitherOf(501, 400)); // 3.1.2.18: 501 better, 400 fine
        EXPECTED.put("bigcode", Expect.dropped());
        // 3.2 transaction layer
        EXPECTED.put("badbranch", Expect.status(200));
        // 3.3 application layer
        EXPECTED.put("insuf", Expect.dropped()); // no Call-ID, From, To: nothing to build an answer from
        EXPECTED.put("unkscm", Expect.status(416, "nobodyKnowsThisScheme"));
        EXPECTED.put("novelsc", Expect.status(416));
        EXPECTED.put("unksm2", Expect.status(405, ALLOW)); // REGISTER: the method is refused before its headers
        EXPECTED.put("bext01", Expect.status(420, "Unsupported: nothingSupportsThis, nothingSupportsThisEither"));
        EXPECTED.put("invut", Expect.status(415, "Accept: application/sdp"));
        EXPECTED.put("regaut01", Expect.status(405, ALLOW));
        EXPECTED.put("multi01", Expect.status(400, "more than one"));
        EXPECTED.put("mcl01", Expect.status(400, "400 Bad Content-Length"));
        EXPECTED.put("bcast", Expect.dropped());
        EXPECTED.put("zeromf", Expect.status(200)); // Max-Forwards 0 is fine at the request's target
        EXPECTED.put("cparam01", Expect.status(405, ALLOW));
        EXPECTED.put("cparam02", Expect.status(405, ALLOW));
        EXPECTED.put("regescrt", Expect.status(405, ALLOW));
        EXPECTED.put("sdp01", Expect.status(406)); // Accept rules out SDP, the only body we answer with
        // 3.4 backward compatibility
        // JAIN-SIP takes no dialog-creating INVITE without Contact, so the 400 names it (Max-Forwards we supply)
        EXPECTED.put("inv2543", Expect.eitherOf(404, 400));
    }

    private DatagramSocket peer;
    private SipTestAgent agent;

    @BeforeEach
    void start() throws IOException {
        peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        agent = SipTestAgent.start(SipTestAgent.settings(peer.getLocalPort(), "1000", "1234", ""));
        agent.onIncoming(c -> {
            if (c.incoming().dialledNumber().equals("1005")) {
                c.incoming().answer();
            } else {
                c.incoming().reject(404); // no such user here
            }
        });
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        peer.close();
    }

    @Test
    void everyTortureMessageIsAnsweredAsTheRfcsSayAndTheAgentKeepsWorking() throws Exception {
        List<String> mismatches = new ArrayList<>();
        Map<String, DatagramSocket> mustStaySilent = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Expect> e : EXPECTED.entrySet()) {
                String name = e.getKey();
                Expect expect = e.getValue();
                // a socket of its own: many messages share a branch, and with one sent-by they would match as
                // retransmissions of each other (RFC 3261 17.2.3), which they are not
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                send(socket, rewriteTopVia(name, load(name), socket.getLocalPort()));
                if (expect.statuses().isEmpty()) {
                    mustStaySilent.put(name, socket); // checked at the end, once later requests have been answered
                    continue;
                }
                Optional<String> answer;
                try (socket) {
                    answer = awaitFinal(socket, Duration.ofSeconds(5));
                }
                String got = answer.map(TortureMessagesTest::statusLine).orElse("(no answer)");
                if (answer.isEmpty() || !expect.statuses().contains(statusOf(answer.get()))
                        || !answer.get().contains(expect.mustContain())) {
                    mismatches.add(name + ": expected " + expect.statuses() + " with \"" + expect.mustContain()
                            + "\", got " + got + (answer.isPresent() ? "\n" + headOf(answer.get()) : ""));
                }
            }
            // the agent still answers a plain OPTIONS ...
            send(peer, plainOptions("after-torture"));
            assertThat(awaitFinal(peer, Duration.ofSeconds(5))).map(TortureMessagesTest::statusOf).contains(200);
            // ... and sent nothing for what had to be dropped
            for (Map.Entry<String, DatagramSocket> silent : mustStaySilent.entrySet()) {
                awaitFinal(silent.getValue(), Duration.ofMillis(200)).ifPresent(r ->
                        mismatches.add(silent.getKey() + ": expected no answer, got " + statusLine(r)));
            }
        } finally {
            mustStaySilent.values().forEach(DatagramSocket::close);
        }
        assertThat(mismatches).as("answers that differ from the RFCs").isEmpty();
        // ... and a normal call through the harness still works
        try (SipTestAgent caller = SipTestAgent.start(SipTestAgent.settings(agent.agent().port(), "2000", "x", ""))) {
            TestCall call = caller.call("1005", "After torture");
            await().atMost(Duration.ofSeconds(10)).until(() -> call.has("answered") || call.end != null);
            assertThat(call.events).anyMatch(ev -> ev.startsWith("answered"));
            call.sip().hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> call.end != null);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.agent().activeCalls() == 0);
        assertThat(agent.agent().rtpPortsInUse()).isZero();
    }

    private void send(DatagramSocket from, byte[] message) throws IOException {
        from.send(new DatagramPacket(message, message.length,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), agent.agent().port())));
    }

    /** The first final response arriving at {@code socket} within {@code wait}; provisional ones are skipped. */
    private static Optional<String> awaitFinal(DatagramSocket socket, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[65536];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return Optional.empty();
            }
            socket.setSoTimeout((int) left);
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (java.net.SocketTimeoutException timeout) {
                return Optional.empty();
            }
            String r = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
            if (r.startsWith("SIP/2.0 ") && statusOf(r) >= 200) {
                return Optional.of(r);
            }
        }
    }

    private byte[] plainOptions(String callId) {
        String m = "OPTIONS sip:1000@127.0.0.1:" + agent.agent().port() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + peer.getLocalPort() + ";branch=z9hG4bK" + callId + "\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\nCall-ID: " + callId + "@test\r\n"
                + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        return m.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] load(String name) {
        try (InputStream in = TortureMessagesTest.class.getResourceAsStream("/rfc4475/" + name + ".dat")) {
            if (in == null) {
                throw new IllegalArgumentException("no torture message " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern TOP_VIA = Pattern.compile(
            "(?im)^(?:via|v)[ \\t]*:[ \\t\\r\\n]*(SIP[ \\t\\r\\n]*/[ \\t\\r\\n]*[^ \\t\\r\\n/]+[ \\t\\r\\n]*/[ \\t\\r\\n]*)"
                    + "([A-Za-z]+)([ \\t\\r\\n]+)([^ \\t\\r\\n;,]+)");

    private static final Pattern BRANCH = Pattern.compile("(?i);[ \\t\\r\\n]*branch[ \\t\\r\\n]*=[ \\t\\r\\n]*([^ \\t\\r\\n;,]+)");
    private static final Pattern NEXT_HEADER = Pattern.compile("\\r\\n(?![ \\t])");

    /**
     * The topmost Via's transport becomes UDP, its sent-by 127.0.0.1:port, and its branch (unless it
     * is the bare magic cookie, which badbranch is about) gets ".name" appended: many messages share
     * a branch such as z9hG4bKkdjuw, and in one agent they would otherwise match each other's
     * transactions. The rest stays as it was.
     */
    static byte[] rewriteTopVia(String name, byte[] message, int port) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        if (text.startsWith("SIP/2.0 ")) {
            return message; // responses go as they are
        }
        int headEnd = text.indexOf("\r\n\r\n");
        String head = headEnd < 0 ? text : text.substring(0, headEnd);
        Matcher via = TOP_VIA.matcher(head);
        if (!via.find()) {
            return message; // no Via: unanswerable anyway
        }
        StringBuilder out = new StringBuilder(head.substring(0, via.start(2))).append("UDP").append(via.group(3))
                .append("127.0.0.1:").append(port);
        Matcher next = NEXT_HEADER.matcher(head);
        int viaEnd = next.find(via.end(4)) ? next.start() : head.length();
        int comma = head.indexOf(',', via.end(4));
        int firstValueEnd = comma >= 0 && comma < viaEnd ? comma : viaEnd;
        Matcher branch = BRANCH.matcher(head).region(via.end(4), firstValueEnd);
        if (branch.find() && !branch.group(1).equals("z9hG4bK")) {
            out.append(head, via.end(4), branch.end(1)).append('.').append(name).append(head, branch.end(1), head.length());
        } else {
            out.append(head, via.end(4), head.length());
        }
        return out.append(text, head.length(), text.length()).toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int statusOf(String response) {
        try {
            return Integer.parseInt(response.substring(8, 11));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String statusLine(String response) {
        int eol = response.indexOf("\r\n");
        return eol < 0 ? response : response.substring(0, eol);
    }

    private static String headOf(String response) {
        int end = response.indexOf("\r\n\r\n");
        return "    " + (end < 0 ? response : response.substring(0, end)).replace("\r\n", "\n    ");
    }
}
