package io.srproxy.sip;

import io.srproxy.concurrent.SerialExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account registered at the SIP server: digest auth (401/407, stale nonce), refresh ahead of
 * the granted Expires, retry with backoff when the server is unreachable or errs, one clear error
 * for a wrong password (then a long pause), and Expires 0 on shutdown. The server keepalive tells
 * it when the server stops answering (not registered any more: "server unreachable") and when it
 * answers again (REGISTER at once: a restarted registrar has forgotten us).
 */
public final class Registration implements TransactionOwner {

    private static final Logger log = LoggerFactory.getLogger(Registration.class);

    private final SipAgent agent;
    private final String user;
    private final String password;
    private final String callId;
    private final SerialExecutor executor;
    private final List<RegistrationListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger refreshes = new AtomicInteger();
    private volatile RegistrationState state = RegistrationState.UNREGISTERED;
    private volatile String stateDetail = "not started";
    private long cseq = 1;
    private int failures;
    private boolean authFailureReported;
    /** The server itself answered the REGISTER we are backing off from: hearing it again is no news. */
    private boolean backingOffFromAnAnswer;
    private boolean challengedThisRound;
    private int wantedExpires;
    private volatile int grantedExpires;
    private ScheduledFuture<?> timer;
    /** The REGISTER whose outcome counts; answers to older ones (replaced by a newer REGISTER) are ignored. */
    private ClientTransaction current;
    private CompletableFuture<Void> unregistered;

    Registration(SipAgent agent, String user, String password) {
        this.agent = agent;
        this.user = user;
        this.password = password;
        this.callId = agent.provider().getNewCallId().getCallId();
        this.executor = new SerialExecutor(agent.callPool());
    }

    public String user() {
        return user;
    }

    String password() {
        return password;
    }

    public RegistrationState state() {
        return state;
    }

    /** Why the registration is in its state, e.g. "expires 600 s" or "server unreachable". */
    public String stateDetail() {
        return stateDetail;
    }

    /** Seconds the server granted in its last 200, 0 before. */
    public int grantedExpires() {
        return grantedExpires;
    }

    /** Successful REGISTERs so far (the first plus refreshes). */
    public int successfulRegisters() {
        return refreshes.get();
    }

    public void addListener(RegistrationListener l) {
        listeners.add(l);
    }

    void start() {
        executor.execute(() -> send((int) agent.settings().registerExpires().toSeconds()));
    }

    /** The server keepalive heard the server (again): a registration that is not registered tries now. */
    void serverAnswering() {
        executor.execute(() -> {
            boolean waiting = state == RegistrationState.REGISTERING
                    || (state == RegistrationState.RETRYING && !backingOffFromAnAnswer);
            if (waiting && wantedExpires > 0) {
                cancelTimer();
                failures = 0;
                send(wantedExpires);
            }
        });
    }

    /**
     * The server answered for our own address that it does not know us (a registrar restarted
     * between two keepalives forgets its registrations): register again now, not at the refresh.
     */
    void forgottenByServer(String why) {
        executor.execute(() -> {
            if (state == RegistrationState.REGISTERED && wantedExpires > 0) {
                cancelTimer();
                failures = 0;
                setState(RegistrationState.REGISTERING, why);
                send(wantedExpires);
            }
        });
    }

    /** The server keepalive lost the server: whatever it granted is not worth counting on. */
    void serverSilent() {
        executor.execute(() -> {
            boolean counting = state == RegistrationState.REGISTERED || state == RegistrationState.REGISTERING;
            if (counting && wantedExpires > 0) {
                backingOffFromAnAnswer = false;
                setState(RegistrationState.RETRYING, "server unreachable");
            }
        });
    }

    /** Sends Expires 0; completes when the server answered or gave up. */
    CompletableFuture<Void> unregister() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            cancelTimer();
            if (state == RegistrationState.REGISTERED || state == RegistrationState.REGISTERING) {
                unregistered = done;
                send(0);
            } else {
                setState(RegistrationState.CLOSED, "stopped");
                done.complete(null);
            }
        });
        return done;
    }

    private void send(int expires) {
        wantedExpires = expires;
        challengedThisRound = false;
        try {
            Request register = agent.requests().newRegister(user, callId, cseq++, expires);
            ClientTransaction ct = agent.newClientTransaction(register);
            ct.setApplicationData(this);
            current = ct;
            ct.sendRequest();
            if (expires > 0 && state != RegistrationState.REGISTERED) {
                setState(RegistrationState.REGISTERING, "REGISTER sent");
            }
        } catch (Exception e) {
            retryLater("cannot send REGISTER: " + e.getMessage(), false);
        }
    }

    @Override
    public void onResponse(ResponseEvent event) {
        executor.execute(() -> {
            if (event.getClientTransaction() == current) {
                handle(event.getResponse(), event.getClientTransaction());
            }
        });
    }

    @Override
    public void onTimeout(TimeoutEvent event) {
        executor.execute(() -> {
            if (event.getClientTransaction() != current) {
                return;
            }
            if (wantedExpires == 0) {
                finishUnregister("no answer to un-REGISTER");
            } else {
                retryLater("no answer from " + agent.serverDescription(), false);
            }
        });
    }

    private void handle(Response response, ClientTransaction ct) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        if (wantedExpires == 0 && status != 401 && status != 407) {
            finishUnregister(status + " " + response.getReasonPhrase());
            return;
        }
        if (status >= 200 && status < 300) {
            onRegistered(response);
        } else if (status == 401 || status == 407) {
            onChallenge(response, ct, status);
        } else if (status == 403 && grantedExpires > 0 && !challengedThisRound) {
            // refused without looking at our credentials, though it knew them before: a registrar
            // starting up or losing its database; back off and retry like any other error
            retryLater(status + " " + response.getReasonPhrase(), true);
        } else if (status == 403) {
            onAuthFailure(status + " " + response.getReasonPhrase());
        } else if (status == 423) {
            MinExpiresHeader min = (MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME);
            send(min == null ? wantedExpires * 2 : min.getExpires());
        } else {
            retryLater(status + " " + response.getReasonPhrase(), true);
        }
    }

    private void onRegistered(Response response) {
        int granted = grantedIn(response);
        if (granted <= 0) {
            retryLater("200 OK without our contact", true);
            return;
        }
        grantedExpires = granted;
        failures = 0;
        authFailureReported = false;
        refreshes.incrementAndGet();
        long refreshIn = refreshDelay(granted);
        cancelTimer();
        timer = agent.scheduler().schedule(() -> executor.execute(() -> send(wantedExpires)),
                refreshIn, TimeUnit.MILLISECONDS);
        if (state != RegistrationState.REGISTERED) {
            log.info("registered {}@{} for {} s", user, agent.serverDescription(), granted);
        } else {
            log.debug("registration of {} refreshed for {} s", user, granted);
        }
        setState(RegistrationState.REGISTERED, "expires " + granted + " s");
    }

    /** Refresh well ahead of expiry: at half time for short grants, else 30 s before or at 90 %, whichever is earlier. */
    static long refreshDelay(int grantedSeconds) {
        long ms = grantedSeconds * 1000L;
        if (grantedSeconds <= 60) {
            return ms / 2;
        }
        return Math.max(ms / 2, Math.min(ms - 30_000, ms * 9 / 10));
    }

    private int grantedIn(Response response) {
        String ourContact = agent.requests().contactUri(user);
        for (java.util.ListIterator<?> it = response.getHeaders(ContactHeader.NAME); it.hasNext(); ) {
            ContactHeader c = (ContactHeader) it.next();
            if (sameContact(c.getAddress().getURI().toString(), ourContact)) {
                int e = c.getExpires();
                if (e >= 0) {
                    return e;
                }
            }
        }
        ExpiresHeader h = (ExpiresHeader) response.getHeader(ExpiresHeader.NAME);
        if (h != null) {
            return h.getExpires();
        }
        return response.getHeader(ContactHeader.NAME) == null ? wantedExpires : -1;
    }

    private static boolean sameContact(String a, String b) {
        return strip(a).equalsIgnoreCase(strip(b));
    }

    private static String strip(String uri) {
        int semi = uri.indexOf(';');
        return semi < 0 ? uri : uri.substring(0, semi);
    }

    private void onChallenge(Response response, ClientTransaction ct, int status) {
        if (challengedThisRound && !SipRequests.isStale(response)) {
            onAuthFailure(status + " " + response.getReasonPhrase() + " after our credentials");
            return;
        }
        challengedThisRound = true;
        try {
            ClientTransaction retry = agent.auth().handleChallenge(response, ct, agent.provider(), 5);
            retry.setApplicationData(this);
            agent.applyTimers(retry);
            current = retry;
            cseq = ((javax.sip.header.CSeqHeader) retry.getRequest().getHeader("CSeq")).getSeqNumber() + 1;
            retry.sendRequest();
        } catch (Exception e) {
            retryLater("cannot answer the challenge: " + e.getMessage(), true);
        }
    }

    private void onAuthFailure(String detail) {
        cancelTimer();
        if (wantedExpires == 0) {
            finishUnregister(detail);
            return;
        }
        Duration pause = agent.settings().authRetry();
        if (!authFailureReported) {
            authFailureReported = true;
            log.error("registration of {}@{} refused: wrong account or password ({}); next try in {} s",
                    user, agent.serverDescription(), detail, pause.toSeconds());
        }
        setState(RegistrationState.AUTH_FAILED, detail);
        timer = agent.scheduler().schedule(() -> executor.execute(() -> send(wantedExpires)),
                pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code answered}: the server answered (an error, a bad 200, a challenge we could not meet), so it is reachable. */
    private void retryLater(String why, boolean answered) {
        cancelTimer();
        if (state == RegistrationState.CLOSED) {
            return;
        }
        backingOffFromAnAnswer = answered;
        failures++;
        long min = agent.settings().retryMin().toMillis();
        long delay = Math.min(agent.settings().retryMax().toMillis(), min << Math.min(failures - 1, 16));
        if (failures == 1 || log.isDebugEnabled()) {
            log.warn("registration of {}@{} failed: {}; retrying in {} ms", user, agent.serverDescription(), why, delay);
        }
        setState(RegistrationState.RETRYING, why);
        timer = agent.scheduler().schedule(() -> executor.execute(() -> send(wantedExpires)),
                delay, TimeUnit.MILLISECONDS);
    }

    private void finishUnregister(String detail) {
        log.info("unregistered {}@{} ({})", user, agent.serverDescription(), detail);
        setState(RegistrationState.CLOSED, detail);
        if (unregistered != null) {
            unregistered.complete(null);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void setState(RegistrationState next, String detail) {
        if (state == RegistrationState.CLOSED) {
            return;
        }
        boolean changed = next != state;
        state = next;
        stateDetail = detail;
        for (RegistrationListener l : listeners) {
            if (changed || next == RegistrationState.REGISTERED) {
                l.onStateChange(this, next, detail);
            }
        }
    }
}
