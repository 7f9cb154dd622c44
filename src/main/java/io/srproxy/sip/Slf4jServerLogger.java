package io.srproxy.sip;

import io.srproxy.log.LogSafe;
import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JAIN-SIP's message trace to SLF4J at TRACE only (message bodies are sensitive; see LogSetup), escaped. */
public final class Slf4jServerLogger implements ServerLogger {

    private static final Logger log = LoggerFactory.getLogger("io.srproxy.sip.wire");

    public Slf4jServerLogger() {
        // created by the stack through gov.nist.javax.sip.SERVER_LOGGER
    }

    @Override
    public void closeLogFile() {
        // nothing open
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        trace(message, from, to, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        trace(message, from, to, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        trace(message, from, to, sender);
    }

    private static void trace(SIPMessage message, String from, String to, boolean sender) {
        if (log.isTraceEnabled()) {
            // one line per message: CR/LF escaped, so a received message cannot forge log lines
            log.trace("{} {} -> {}: {}", sender ? "sent" : "received", LogSafe.of(from), LogSafe.of(to),
                    LogSafe.of(message, 70_000));
        }
    }

    @Override
    public void logException(Exception e) {
        log.debug("JAIN-SIP", e);
    }

    @Override
    public void setStackProperties(Properties properties) {
        // nothing to configure
    }

    @Override
    public void setSipStack(SipStack stack) {
        // not needed
    }
}
