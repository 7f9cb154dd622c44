package io.srproxy.sip;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** OPTIONS toward the SIP server every {@code keepalive}: keeps NAT bindings open and the server in sight. */
final class ServerKeepalive implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerKeepalive.class);

    private final SipAgent agent;
    private final ScheduledFuture<?> task;

    private ServerKeepalive(SipAgent agent, ScheduledExecutorService scheduler, long periodMs) {
        this.agent = agent;
        this.task = scheduler.scheduleWithFixedDelay(this::send, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Started when the agent has a SIP server and a non-zero keepalive; null otherwise. */
    static ServerKeepalive startIfWanted(SipAgent agent, ScheduledExecutorService scheduler) {
        SipSettings s = agent.settings();
        if (s.serverHost() == null || s.keepalive().isZero()) {
            return null;
        }
        return new ServerKeepalive(agent, scheduler, s.keepalive().toMillis());
    }

    private void send() {
        try {
            String callId = agent.provider().getNewCallId().getCallId();
            ClientTransaction ct = agent.newClientTransaction(agent.requests().newServerOptions(callId));
            ct.setApplicationData(TransactionOwner.IGNORE);
            ct.sendRequest();
        } catch (Exception e) {
            log.debug("keepalive OPTIONS failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
