package io.srproxy.sip;

import io.srproxy.log.LogSafe;
import gov.nist.core.StackLogger;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's stack logging sent to SLF4J (logger {@code gov.nist.javax.sip}), so no log4j is
 * needed, and made safe against what arrives from the network:
 * <ul>
 * <li>JAIN-SIP's INFO is per packet ("Setting SIPMessage peerPacketSource", "serving msg on call
 *     id"): it goes to DEBUG.</li>
 * <li>A warning or error is one line, escaped and cut, logged for the 1st, 2nd, 4th, 8th ... of
 *     its kind with the count ({@link StackLogThrottle}); its full text and any stack trace go to
 *     DEBUG only. A malformed message thus costs at most one WARN/ERROR line, never its content.</li>
 * <li>Texts that carry a whole received message, and per-packet notes, go to DEBUG only.</li>
 * </ul>
 * Every text is escaped (no CR/LF/control characters reach the log).
 */
public final class Slf4jStackLogger implements StackLogger {

    private static final Logger log = LoggerFactory.getLogger("gov.nist.javax.sip");
    private static final StackLogThrottle THROTTLE = new StackLogThrottle();
    /** Debug lines may carry a whole SIP message (at most sip_max_message_size), escaped. */
    private static final int DEBUG_CHARS = 16_384;
    private static final int LINE_CHARS = 120;
    /** Warnings and errors that are only noise or carry a received message: DEBUG only. */
    private static final List<String> DEBUG_ONLY = List.of(
            "bad message ",                       // the whole malformed message follows
            "Null request interface returned",    // each request AdmissionValve drops
            "TLS ", "Using default ", "using default tls"); // JAIN-SIP's TLS set-up notes (ours: PemSecurityManager)
    /** Errors a peer causes by sending a bad message: a fixed WARN sentence, none of the message's text. */
    private static final Map<String, String> PEER_FAULTS = Map.of(
            ">>> Dropped Bad Msg", "dropped a SIP message without From, To, Call-ID, CSeq or Via",
            "Dropping Badly formatted response", "dropped a malformed SIP response",
            "Dropping response message with invalid tag", "dropped a SIP response with a wrong From tag",
            "Malformed mandatory headers", "closed a SIP TCP connection that sent malformed mandatory headers");

    public Slf4jStackLogger() {
        // created by the stack through gov.nist.javax.sip.STACK_LOGGER
    }

    @Override
    public void logStackTrace() {
        if (log.isTraceEnabled()) {
            log.trace("stack trace", new Throwable());
        }
    }

    @Override
    public void logStackTrace(int level) {
        logStackTrace();
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable t) {
        report(false, "JAIN-SIP exception: " + t, t);
    }

    @Override
    public void logDebug(String message) {
        if (log.isDebugEnabled()) {
            log.debug(LogSafe.of(message, DEBUG_CHARS));
        }
    }

    @Override
    public void logDebug(String message, Exception e) {
        if (log.isDebugEnabled()) {
            log.debug(LogSafe.of(message, DEBUG_CHARS), e);
        }
    }

    @Override
    public void logTrace(String message) {
        if (log.isTraceEnabled()) {
            log.trace(LogSafe.of(message, DEBUG_CHARS));
        }
    }

    @Override
    public void logFatalError(String message) {
        report(true, message, null);
    }

    @Override
    public void logError(String message) {
        report(true, message, null);
    }

    @Override
    public void logError(String message, Exception e) {
        report(true, message, e);
    }

    @Override
    public void logWarning(String message) {
        report(false, message, null);
    }

    @Override
    public void logInfo(String message) {
        logDebug(message);
    }

    /** One throttled, escaped, cut line at WARN or ERROR; the full text and the trace at DEBUG. */
    private static void report(boolean error, String message, Throwable t) {
        String text = String.valueOf(message);
        if (log.isDebugEnabled()) {
            log.debug(LogSafe.of(text, DEBUG_CHARS), t);
        }
        if (DEBUG_ONLY.stream().anyMatch(text::startsWith)) {
            return;
        }
        String peerFault = PEER_FAULTS.entrySet().stream().filter(f -> text.startsWith(f.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        long n = THROTTLE.next(peerFault != null ? peerFault : text);
        if (n == 0) {
            return;
        }
        String line = (peerFault != null ? peerFault + " (details at DEBUG)" : LogSafe.of(text, LINE_CHARS))
                + (n > 1 ? " (" + n + " of this kind so far)" : "");
        if (error && peerFault == null) {
            log.error("JAIN-SIP: {}", line);
        } else {
            log.warn("JAIN-SIP: {}", line);
        }
    }

    @Override
    public boolean isLoggingEnabled() {
        // JAIN-SIP asks this before its warnings and errors; they are throttled here, not skipped
        return log.isWarnEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int level) {
        if (level >= TRACE_TRACE) {
            return log.isTraceEnabled();
        }
        if (level >= TRACE_INFO) {
            return log.isDebugEnabled(); // JAIN-SIP's INFO goes to DEBUG (see logInfo)
        }
        if (level >= TRACE_WARN) {
            return log.isWarnEnabled();
        }
        return log.isErrorEnabled();
    }

    @Override
    public void disableLogging() {
        // level comes from the Logback configuration
    }

    @Override
    public void enableLogging() {
        // level comes from the Logback configuration
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        // not logged
    }

    @Override
    public void setStackProperties(Properties properties) {
        // nothing to configure
    }

    @Override
    public String getLoggerName() {
        return log.getName();
    }
}
