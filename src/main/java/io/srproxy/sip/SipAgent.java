package io.srproxy.sip;

import gov.nist.javax.sip.SipStackExt;
import gov.nist.javax.sip.clientauthutils.AuthenticationHelper;
import io.srproxy.config.RtxConfig;
import io.srproxy.media.MediaCounters;
import io.srproxy.media.rtp.RtpSession;
import io.srproxy.media.rtp.RtpSessionListener;
import io.srproxy.media.rtp.RtpSessions;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.sip.ClientTransaction;
import javax.sip.SipProvider;
import javax.sip.TransactionUnavailableException;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * srproxy's SIP user agent on JAIN-SIP: UDP and TCP on {@code sip_local_port}, registrations,
 * outgoing and incoming calls, OPTIONS keepalive toward the SIP server. This class owns the
 * agent's parts and its calls and registrations; the parts have one job each:
 * {@link SipStackSetup} (the stack), {@link SipRequests} (requests we send),
 * {@link InboundRequests} (admission and dispatch of what arrives), {@link ServerKeepalive},
 * {@link DigestAccounts}. JAIN-SIP callbacks only hand work to a registration's or call's serial
 * executor.
 */
public final class SipAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SipAgent.class);
    private static final AtomicInteger STACKS = new AtomicInteger();
    /** A DTLS-SRTP leg not keyed this long after the peer's address is known ends its call. */
    static final int DTLS_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final SipSettings settings;
    private final SipStackSetup sip;
    private final SipRequests requests;
    private final InboundRequests inbound;
    private final SipAdmission admission;
    private final TcpConnectionLimiter tcpConnections;
    private final DigestAccounts accounts = new DigestAccounts();
    private final InternalErrors internalErrors = new InternalErrors();
    private final AuthenticationHelper auth;
    private final OfferAnswer offerAnswer;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final ExecutorService callPool;
    /** The media layer's RTP sessions for our calls: handed in by the wiring, or our own (then closed with us). */
    private final RtpSessions rtp;
    private final boolean ownRtp;
    private final ServerKeepalive keepalive;
    /** DTLS-SRTP legs' certificate and handshake threads; null with sip_srtp=off. */
    private final io.srproxy.rtc.webrtc.DtlsHandshakes dtls;
    private final LongSupplier nanoClock = System::nanoTime;
    private final Map<String, SipCall> calls = new ConcurrentHashMap<>();
    private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
    private volatile IncomingCallHandler incoming = call -> call.reject(Response.TEMPORARILY_UNAVAILABLE);
    private volatile boolean closed;

    private SipAgent(SipSettings settings, ScheduledExecutorService scheduler, int rtpIoThreads, RtpSessions rtpSessions)
            throws Exception {
        this.settings = settings;
        this.ownScheduler = scheduler == null;
        int id = STACKS.incrementAndGet();
        this.scheduler = scheduler != null ? scheduler
                : Executors.newSingleThreadScheduledExecutor(named("sip-timer-" + id));
        this.callPool = Executors.newFixedThreadPool(2, named("sip-call-" + id));
        this.offerAnswer = OfferAnswer.fromConfig(settings.codecs());
        this.inbound = new InboundRequests(this, settings);
        this.admission = new SipAdmission(settings);
        InetAddress bind = InetAddress.getByName(settings.bindAddress());
        this.ownRtp = rtpSessions == null;
        this.rtp = ownRtp ? new RtpSessions(bind, settings.rtpPortMin(), settings.rtpPortMax(), "rtp-io-" + id, rtpIoThreads)
                : rtpSessions;
        this.dtls = settings.security().srtp() == SipSecurity.Srtp.OFF ? null
                : new io.srproxy.rtc.webrtc.DtlsHandshakes(this.scheduler, DTLS_HANDSHAKE_TIMEOUT_MILLIS, 2, 64);
        try {
            StackGuards guards = StackGuards.of(admission, settings.transport());
            this.tcpConnections = guards.connections();
            this.sip = SipStackSetup.create(settings, id, inbound, guards);
        } catch (Exception e) {
            if (ownRtp) {
                rtp.close();
            }
            if (dtls != null) {
                dtls.close();
            }
            callPool.shutdownNow();
            if (ownScheduler) {
                this.scheduler.shutdownNow();
            }
            throw e;
        }
        this.requests = new SipRequests(settings, sip, settings.publicIp().orElseGet(() -> localAddressToward(bind)));
        this.auth = ((SipStackExt) sip.stack()).getAuthenticationHelper(accounts, sip.headers());
        requests.useAuthentication(auth);
        if (settings.password() != null && settings.account() != null) {
            accounts.put(settings.account(), settings.password());
        }
        this.keepalive = ServerKeepalive.startIfWanted(this, this.scheduler);
        log.info("SIP agent on {}:{} (udp, tcp{}), advertised as {}, server {} over {}, SRTP {}",
                SipRequests.hostForUri(settings.bindAddress()), sip.port(), sip.tlsPort() == 0 ? "" : ", tls on " + sip.tlsPort(),
                requests.advertisedHost(), serverDescription(), settings.security().transport().token(), settings.security().srtp());
    }

    /** Starts an agent; {@code scheduler} may be null (the agent makes its own) or a test's. */
    public static SipAgent start(SipSettings settings, ScheduledExecutorService scheduler) {
        return start(settings, scheduler, 0);
    }

    /** @param rtpIoThreads {@code [media] io_threads}: RTP I/O loops, 0 = one per available processor */
    public static SipAgent start(SipSettings settings, ScheduledExecutorService scheduler, int rtpIoThreads) {
        return start(settings, scheduler, rtpIoThreads, null);
    }

    /**
     * An agent whose calls take their RTP sessions from {@code rtp} (built and closed by the
     * wiring, after the agent); it must bind where {@code settings} say.
     */
    public static SipAgent start(SipSettings settings, ScheduledExecutorService scheduler, RtpSessions rtp) {
        return start(settings, scheduler, 0, java.util.Objects.requireNonNull(rtp, "rtp"));
    }

    private static SipAgent start(SipSettings settings, ScheduledExecutorService scheduler, int rtpIoThreads, RtpSessions rtp) {
        try {
            return new SipAgent(settings, scheduler, rtpIoThreads, rtp);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the SIP agent on " + settings.bindAddress() + ":"
                    + settings.localPort() + ": " + e.getMessage(), e);
        }
    }

    /** An agent for rtx.conf: SIP and RTP bound on {@code bindAddress}. */
    public static SipAgent start(RtxConfig config, String bindAddress) {
        return start(config, bindAddress, null);
    }

    /** As above, its calls' RTP sessions from {@code rtp} (the wiring's; null = the agent's own). */
    public static SipAgent start(RtxConfig config, String bindAddress, RtpSessions rtp) {
        SipAgent agent = start(SipSettings.from(config, bindAddress), null, config.media().ioThreads(), rtp);
        if (config.cluster().on()) {
            agent.requests.registerInstance(instanceUrn(config.global().appId(), config.cluster().nodeId()));
        }
        return agent;
    }

    /**
     * A cluster node's {@code +sip.instance} (RFC 5627): a name-based UUID of the appid and node_id, so
     * that it stays the same across restarts and differs between nodes.
     */
    public static String instanceUrn(String appId, String nodeId) {
        return "urn:uuid:" + java.util.UUID.nameUUIDFromBytes(("srproxy:" + appId + ":" + nodeId)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The address peers reach us at: the bind address, or the local address routed toward the server. */
    private String localAddressToward(InetAddress bind) {
        if (!bind.isAnyLocalAddress()) {
            return IpText.of(bind);
        }
        if (settings.serverHost() != null) {
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(new InetSocketAddress(settings.serverHost(), settings.serverPort()));
                InetAddress local = probe.getLocalAddress();
                if (local != null && !local.isAnyLocalAddress()) {
                    return IpText.of(local);
                }
            } catch (IOException e) {
                log.warn("cannot find the local address toward {}: {}", settings.serverHost(), e.toString());
            }
        }
        try {
            return IpText.of(InetAddress.getLocalHost());
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    // ---------------------------------------------------------------- public API

    public SipSettings settings() {
        return settings;
    }

    /** The bound SIP port (UDP and TCP). */
    public int port() {
        return sip.port();
    }

    /** The bound SIP TLS port; 0 without a TLS listening point. */
    public int tlsPort() {
        return sip.tlsPort();
    }

    /**
     * Registers {@code user} at the SIP server and keeps it registered. Registering a user twice
     * returns the existing registration (with the listener added) when the password is the same.
     */
    public Registration register(String user, String password, RegistrationListener listener) {
        if (settings.serverHost() == null) {
            throw new IllegalStateException("no SIP server configured ([global] sip_svr)");
        }
        if (closed) {
            throw new IllegalStateException("SIP agent is closed");
        }
        Registration existing = registrations.get(user);
        if (existing != null) {
            if (!existing.password().equals(password)) {
                throw new IllegalArgumentException("account " + user + " is already registered with another password");
            }
            if (listener != null) {
                existing.addListener(listener);
            }
            return existing;
        }
        accounts.put(user, password);
        Registration r = new Registration(this, user, password);
        if (listener != null) {
            r.addListener(listener);
        }
        registrations.put(user, r);
        r.start();
        return r;
    }

    /** Registers the proxy account of the settings. */
    public Registration registerProxyAccount(RegistrationListener listener) {
        return register(settings.account(), settings.password(), listener);
    }

    public Collection<Registration> registrations() {
        return List.copyOf(registrations.values());
    }

    /** Where calls to srproxy go; the default answers 480. */
    public void onIncomingCall(IncomingCallHandler handler) {
        this.incoming = handler;
    }

    /** Places a call; events arrive on {@code listener} from the call's serial executor. */
    public OutgoingCall placeCall(OutgoingCall.Target target, CallListener listener) throws IOException {
        return placeCall(target, listener, offerAnswer);
    }

    /** Places a call offering {@code codecs} (e.g. {@link #offerAnswer()} narrowed) instead of the configured ones. */
    public OutgoingCall placeCall(OutgoingCall.Target target, CallListener listener, OfferAnswer codecs) throws IOException {
        if (settings.serverHost() == null) {
            throw new IllegalStateException("no SIP server configured ([global] sip_svr)");
        }
        if (closed) {
            throw new IllegalStateException("SIP agent is closed");
        }
        String callId = sip.provider().getNewCallId().getCallId();
        OutgoingCall call = new OutgoingCall(this, callId, target, listener, codecs);
        calls.put(callId, call);
        call.start();
        return call;
    }

    /** Calls not yet ended. */
    public int activeCalls() {
        return calls.size();
    }

    /** Dialogs JAIN-SIP still holds, terminated ones included (for leak checks). */
    public int openDialogs() {
        return ((SipStackExt) sip.stack()).getDialogs().size();
    }

    /** The dialogs JAIN-SIP holds, as "call-id state", for leak diagnostics. */
    public List<String> dialogSummary() {
        return ((SipStackExt) sip.stack()).getDialogs().stream()
                .map(d -> d.getCallId().getCallId() + " " + d.getState()).toList();
    }

    /** RTP packets of all calls dropped because they came from another source than the call's peer. */
    public long rtpStrayDropped() {
        return rtp.counters().strayDropped.sum();
    }

    /** Exceptions the RTP receive path threw (bugs; each dropped its packet). */
    public long rtpUnexpectedErrors() {
        return rtp.unexpectedErrors();
    }

    /** RTP port pairs in use. */
    public int rtpPortsInUse() {
        return rtp.portsInUse();
    }

    /** RTP port pairs taken since start: a call takes one only once it goes ahead, never for a refused INVITE. */
    public long rtpPortsAllocated() {
        return rtp.portsAllocated();
    }

    /** RTP to and from the SIP legs, every call's session added up. */
    public MediaCounters rtpMedia() {
        return rtp.counters();
    }

    /** Whether the SIP server answered the latest keepalive OPTIONS (false with the keepalive off). */
    public boolean serverAnswersKeepalive() {
        return keepalive != null && keepalive.state() == ServerKeepalive.ServerState.ANSWERING;
    }

    /**
     * Requests answered 403, and TCP connections closed at once, because their source is neither
     * the SIP server nor in sip_trusted.
     */
    public long refusedUntrusted() {
        return admission.refusedUntrusted();
    }

    /** Requests and calls that met a bug of ours (each answered 500). */
    public long internalErrorCount() {
        return internalErrors.count();
    }

    /** Requests dropped because their source sent more than sip_requests_per_second. */
    public long refusedRate() {
        return admission.refusedRate();
    }

    /** Responses dropped because they answer no request of ours and come from outside sip_svr and sip_trusted. */
    public long refusedStrayResponses() {
        return admission.refusedStrayResponses();
    }

    /** SIP TCP connections open now (accepted ones; those we open toward a peer are not counted). */
    public int openTcpConnections() {
        return tcpConnections.open();
    }

    /** TCP connections closed at once for being over sip_tcp_connections or sip_tcp_connections_per_source. */
    public long refusedTcpConnections() {
        return admission.refusedTcpLimit();
    }

    /** TCP connections closed because a message on them was over sip_max_message_size. */
    public long refusedTooLarge() {
        return admission.refusedTooLarge();
    }

    // ---------------------------------------------------------------- for calls, registrations and parts

    SipProvider provider() {
        return sip.provider();
    }

    HeaderFactory headers() {
        return sip.headers();
    }

    MessageFactory messages() {
        return sip.messages();
    }

    SipRequests requests() {
        return requests;
    }

    DigestAccounts accounts() {
        return accounts;
    }

    InternalErrors internalErrors() {
        return internalErrors;
    }

    AuthenticationHelper auth() {
        return auth;
    }

    /** Offer/answer with the configured codecs ({@code [media] codecs}). */
    public OfferAnswer offerAnswer() {
        return offerAnswer;
    }

    /** A client transaction with our T1 (shorter in tests, so timeouts need no long wait). */
    ClientTransaction newClientTransaction(Request request) throws TransactionUnavailableException {
        return applyTimers(sip.provider().getNewClientTransaction(request));
    }

    <T extends javax.sip.Transaction> T applyTimers(T t) {
        int t1 = (int) settings.t1().toMillis();
        if (t1 != 500) {
            t.setRetransmitTimer(t1);
        }
        return t;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService callPool() {
        return callPool;
    }

    String mediaAddress() {
        return requests.advertisedHost();
    }

    String serverDescription() {
        return settings.serverHost() == null ? "(no server)" : SipRequests.hostForUri(settings.serverHost()) + ":" + settings.serverPort();
    }

    /**
     * 488 for a peer's media address of the other family than {@code sip_local_ip} (RTP sockets
     * bound to an IPv4 address cannot send to IPv6 and back): a clear refusal instead of a silent
     * call. A wildcard bind takes both; a hold address (0.0.0.0, ::) needs no route.
     */
    void checkMediaFamily(MediaDescription remote) throws SdpException {
        InetAddress bind = rtp.bindAddress();
        InetAddress peer = remote.rtp().getAddress();
        if (bind.isAnyLocalAddress() || peer == null || peer.isAnyLocalAddress() || peer.getClass() == bind.getClass()) {
            return;
        }
        throw new SdpException(488, "SDP address " + IpText.of(peer) + " is " + family(peer) + " but sip_local_ip "
                + IpText.of(bind) + " is " + family(bind) + ": no RTP between them");
    }

    private static String family(InetAddress a) {
        return a instanceof java.net.Inet6Address ? "IPv6" : "IPv4";
    }

    RtpSession newRtpSession(RtpSessionListener listener) throws IOException {
        return rtp.open(scheduler, nanoClock, RtpSession.Options.of(settings.rtpTimeoutSeconds(), settings.rtpLatching()), listener);
    }

    /** The DTLS-SRTP legs' certificate and handshake pool (sip_srtp is not off). */
    io.srproxy.rtc.webrtc.DtlsHandshakes dtls() {
        if (dtls == null) {
            throw new IllegalStateException("DTLS-SRTP with [media] sip_srtp=off");
        }
        return dtls;
    }

    SipCall call(String callId) {
        return calls.get(callId);
    }

    /** Takes an incoming call into the agent's table (its Call-ID routes later requests to it). */
    void adopt(SipCall call) {
        calls.put(call.callId(), call);
    }

    void forget(SipCall call) {
        calls.remove(call.callId(), call);
    }

    IncomingCallHandler incomingHandler() {
        return incoming;
    }

    boolean isClosed() {
        return closed;
    }

    /** The keepalive heard the server (again): registrations that are not registered try again now. */
    void serverAnswering() {
        registrations.values().forEach(Registration::serverAnswering);
    }

    /** The registration of {@code user}, if there is one. */
    Registration registrationOf(String user) {
        return user == null ? null : registrations.get(user);
    }

    /** The keepalive lost the server: registrations stop claiming to be registered. */
    void serverSilent() {
        registrations.values().forEach(Registration::serverSilent);
    }

    // ---------------------------------------------------------------- shutdown

    /** Ends calls, sends Expires 0 for every registration (waits up to 2 s), stops the stack. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SipCall c : List.copyOf(calls.values())) {
            c.shutdown();
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (Registration r : registrations.values()) {
            pending.add(r.unregister());
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.info("un-REGISTER not confirmed before shutdown: {}", e.toString());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!calls.isEmpty() && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20); // production shutdown path: let BYEs go out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (keepalive != null) {
            keepalive.close();
        }
        sip.stop();
        if (ownRtp) {
            rtp.close();
        }
        if (dtls != null) {
            dtls.close();
        }
        callPool.shutdown();
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
        log.info("SIP agent on port {} stopped", sip.port());
    }

    /** Test hook: names of the agent's own threads start with these. */
    public static Set<String> threadNamePrefixes() {
        return Set.of("sip-timer-", "sip-call-", "rtp-io-", "sip-dtls-");
    }
}
