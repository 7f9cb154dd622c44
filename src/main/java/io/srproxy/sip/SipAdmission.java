package io.srproxy.sip;

import io.srproxy.log.PowersOfTwo;
import io.srproxy.log.LogSafe;
import java.net.InetAddress;
import javax.sip.SipProvider;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may make the agent do work: requests pass the per-source rate ({@link SipFloodGuard}), then
 * the trust list ({@link TrustedPeers}: {@code sip_svr} plus {@code sip_trusted}); responses pass
 * when they come from a trusted source or belong to one of our pending requests or dialogs; TCP
 * connections only from trusted sources. Asked by {@link AdmissionValve} and {@link BoundedTcpProcessor}
 * before JAIN-SIP builds a transaction or a dialog. Each refusal is counted and logged sometimes.
 */
final class SipAdmission {

    private static final Logger log = LoggerFactory.getLogger(SipAdmission.class);

    enum Verdict { PASS, DROP, FORBID }

    private final TrustedPeers trusted;
    private final SipFloodGuard floodGuard;
    private final PowersOfTwo refusedUntrusted = new PowersOfTwo();
    private final PowersOfTwo refusedRate = new PowersOfTwo();
    private final PowersOfTwo refusedStray = new PowersOfTwo();
    private final PowersOfTwo refusedTcpLimit = new PowersOfTwo();
    private final PowersOfTwo refusedTooLarge = new PowersOfTwo();
    private volatile SipProvider provider;
    private volatile MessageFactory messages;

    SipAdmission(SipSettings settings) {
        this.trusted = TrustedPeers.of(settings.serverHost(), settings.trusted());
        this.floodGuard = new SipFloodGuard(settings.requestsPerSecond(),
                TrustedPeers.serverOnly(settings.serverHost()), System::nanoTime);
    }

    /** Where 403s go out from; set once the stack has its provider (nothing arrives before). */
    void answerThrough(SipProvider sipProvider, MessageFactory messageFactory) {
        this.messages = messageFactory;
        this.provider = sipProvider;
    }

    /** Rate first (a flood is dropped unanswered), then trust; ACK is never answered, so only rate-checked. */
    Verdict request(String method, InetAddress source) {
        if (!floodGuard.admit(source)) {
            // dropped, not answered: a 503 per flood packet would cost as much as the flood and,
            // over UDP with a forged source, reflect it at someone else; a real peer retransmits
            logSometimes(refusedRate, "{} from {} dropped: over [limits] sip_requests_per_second ({} dropped so far)",
                    method, source);
            return Verdict.DROP;
        }
        // an ACK may come straight from the phone (not via sip_svr); it only reaches a call we accepted
        if (Request.ACK.equals(method) || trusted.allows(source)) {
            return Verdict.PASS;
        }
        logSometimes(refusedUntrusted, "{} from untrusted {} refused with 403 (add it to [global] sip_trusted"
                + " to allow; {} refused so far)", method, source);
        return Verdict.FORBID;
    }

    /** A response passes from a trusted source, or when it belongs to a request or dialog of ours. */
    boolean response(int status, InetAddress source, boolean answersOurRequest) {
        if (answersOurRequest || trusted.allows(source)) {
            return true;
        }
        logSometimes(refusedStray, "{} from {} dropped: a response to no request of ours, from outside"
                + " sip_svr and [global] sip_trusted ({} dropped so far)", Integer.toString(status), source);
        return false;
    }

    /** TCP connections are taken only from trusted sources; the others are closed at once. */
    boolean connection(InetAddress source) {
        if (trusted.allows(source)) {
            return true;
        }
        logSometimes(refusedUntrusted, "{} from untrusted {} closed at once (add it to [global] sip_trusted"
                + " to allow; {} refused so far)", "TCP connection", source);
        return false;
    }

    /** Counts and logs (sometimes) a connection over the TCP connection limits; returns {@code acquired}. */
    boolean connectionWithinLimits(boolean acquired, InetAddress source) {
        if (!acquired) {
            logSometimes(refusedTcpLimit, "{} from {} closed at once: over [limits] sip_tcp_connections or"
                    + " sip_tcp_connections_per_source ({} refused so far)", "TCP connection", source);
        }
        return acquired;
    }

    /** Counts and logs (sometimes) a TCP connection closed for a message over sip_max_message_size. */
    void tooLarge(InetAddress source, String why) {
        logSometimes(refusedTooLarge, "{} from {}: TCP connection closed ([limits] sip_max_message_size;"
                + " {} so far)", why, source);
    }

    /** Answers 403 without a transaction. */
    void forbid(Request request) {
        answer(request, Response.FORBIDDEN);
    }

    /** Answers {@code request} statelessly with {@code status}, from the door (no transaction). */
    void answer(Request request, int status) {
        SipProvider p = provider;
        if (p == null) {
            return;
        }
        try {
            p.sendResponse(messages.createResponse(status, request));
        } catch (Exception e) {
            log.debug("cannot answer {} with {}: {}", request.getMethod(), status, LogSafe.of(e));
        }
    }

    long refusedUntrusted() {
        return refusedUntrusted.count();
    }

    long refusedRate() {
        return refusedRate.count();
    }

    long refusedStrayResponses() {
        return refusedStray.count();
    }

    long refusedTcpLimit() {
        return refusedTcpLimit.count();
    }

    long refusedTooLarge() {
        return refusedTooLarge.count();
    }

    private static void logSometimes(PowersOfTwo throttle, String format, String what, InetAddress source) {
        long n = throttle.next();
        if (n > 0) {
            log.warn(format, LogSafe.of(what), source == null ? "?" : source.getHostAddress(), n);
        }
    }
}
