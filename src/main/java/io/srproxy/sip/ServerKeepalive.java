package io.srproxy.sip;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OPTIONS toward the SIP server every {@code keepalive}: keeps NAT bindings open and watches the
 * server. Any answer (a 404 or 405 too) means the server is there. A probe not answered within
 * {@link #answerWithin} means it went away: the agent marks its registrations unreachable. The
 * first answer after that means it came back (a restarted registrar has forgotten us): the agent
 * registers again at once instead of at the next refresh.
 *
 * <p>While the proxy account is registered, the probe goes to our own address of record through
 * the server ({@link SipRequests#newOwnAddressOptions}): a registrar restarted between two probes
 * answers 404/480 for it, having forgotten us, and we register again at once. A server that
 * still says so right after a fresh registration does not route OPTIONS to users: the probe goes
 * back to the server itself.
 *
 * <p>Until the server has answered once, silence says nothing: some servers never answer OPTIONS,
 * and the registrations' own retries already cover a server that is down at start.
 * All state changes run on the agent's scheduler thread.
 */
final class ServerKeepalive implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerKeepalive.class);
    private static final Duration MAX_ANSWER_WAIT = Duration.ofSeconds(5);

    /** What the keepalive knows of the server. */
    enum ServerState { UNKNOWN, ANSWERING, SILENT }

    private final SipAgent agent;
    private final ScheduledExecutorService scheduler;
    private final long answerWithinMs;
    private final ScheduledFuture<?> task;
    private long probes;
    private long lastAnswered;
    private volatile ServerState state = ServerState.UNKNOWN;
    private boolean probeOwnAddress = true;
    private boolean registeredAgainOnProbe;

    private ServerKeepalive(SipAgent agent, ScheduledExecutorService scheduler, Duration period) {
        this.agent = agent;
        this.scheduler = scheduler;
        this.answerWithinMs = answerWithin(period).toMillis();
        this.task = scheduler.scheduleWithFixedDelay(this::send, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Started when the agent has a SIP server and a non-zero keepalive; null otherwise. */
    static ServerKeepalive startIfWanted(SipAgent agent, ScheduledExecutorService scheduler) {
        SipSettings s = agent.settings();
        if (s.serverHost() == null || s.keepalive().isZero()) {
            return null;
        }
        return new ServerKeepalive(agent, scheduler, s.keepalive());
    }

    /** How long a probe may go unanswered: the keepalive period, at most 5 s (a loaded server answers in ms). */
    static Duration answerWithin(Duration keepalive) {
        return keepalive.compareTo(MAX_ANSWER_WAIT) < 0 ? keepalive : MAX_ANSWER_WAIT;
    }

    ServerState state() {
        return state;
    }

    private void send() {
        long probe = ++probes;
        String account = agent.settings().account();
        Registration own = agent.registrationOf(account);
        if (!probeOwnAddress || own == null || own.state() != RegistrationState.REGISTERED) {
            own = null;
        }
        try {
            String callId = agent.provider().getNewCallId().getCallId();
            ClientTransaction ct = agent.newClientTransaction(own == null ? agent.requests().newServerOptions(callId)
                    : agent.requests().newOwnAddressOptions(account, callId));
            ct.setApplicationData(new Probe(probe, own));
            ct.sendRequest();
        } catch (Exception e) {
            silent("cannot send OPTIONS: " + e.getMessage());
            return;
        }
        scheduler.schedule(() -> {
            if (lastAnswered < probe) {
                silent("no answer to OPTIONS within " + answerWithinMs + " ms");
            }
        }, answerWithinMs, TimeUnit.MILLISECONDS);
    }

    private void answered(long probe) {
        lastAnswered = Math.max(lastAnswered, probe);
        ServerState before = state;
        state = ServerState.ANSWERING;
        if (before == ServerState.SILENT) {
            log.info("SIP server {} answers again: registering again now", agent.serverDescription());
        }
        if (before != ServerState.ANSWERING) {
            agent.serverAnswering();
        }
    }

    /** The answer to a probe of our own address: 404/480/410 means the server no longer has our registration. */
    private void ownAddressAnswered(int status, Registration own) {
        if (status != 404 && status != 480 && status != 410) {
            registeredAgainOnProbe = false;
            return;
        }
        if (own.state() != RegistrationState.REGISTERED) {
            return; // registering again already (the server's silence was noticed first)
        }
        if (registeredAgainOnProbe) {
            probeOwnAddress = false;
            log.info("SIP server {} answers {} for our own address even after registering: it does not route OPTIONS"
                    + " to users, so the keepalive probes the server itself from now on", agent.serverDescription(), status);
            return;
        }
        registeredAgainOnProbe = true;
        log.warn("SIP server {} answered {} for {}'s own address: it lost the registration (restarted?); registering"
                + " again now", agent.serverDescription(), status, own.user());
        own.forgottenByServer("the server forgot the registration (" + status + " to OPTIONS)");
    }

    private void silent(String why) {
        if (state != ServerState.ANSWERING) {
            return; // never answered, or already known silent
        }
        state = ServerState.SILENT;
        log.warn("SIP server {} stopped answering ({}): registrations marked unreachable", agent.serverDescription(), why);
        agent.serverSilent();
    }

    /** One OPTIONS: its answer or timeout goes back to the scheduler thread. */
    private final class Probe implements TransactionOwner {
        private final long number;
        private final Registration ownAddress;

        /** {@code ownAddress}: the registration whose address of record was probed, else null. */
        Probe(long number, Registration ownAddress) {
            this.number = number;
            this.ownAddress = ownAddress;
        }

        @Override
        public void onResponse(ResponseEvent event) {
            int status = event.getResponse().getStatusCode();
            if (status < 200) {
                return;
            }
            onSchedulerThread(() -> {
                answered(number);
                if (ownAddress != null) {
                    ownAddressAnswered(status, ownAddress);
                }
            });
        }

        @Override
        public void onTimeout(TimeoutEvent event) {
            onSchedulerThread(() -> {
                if (lastAnswered < number) {
                    silent("OPTIONS timed out");
                }
            });
        }

        private void onSchedulerThread(Runnable r) {
            try {
                scheduler.execute(r);
            } catch (RejectedExecutionException stopping) {
                // the agent is closing: nobody needs the server's state any more
            }
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
