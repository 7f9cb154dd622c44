package io.srproxy.sip;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.SipListenerExt;
import gov.nist.javax.sip.SipStackExt;
import gov.nist.javax.sip.clientauthutils.AccountManager;
import gov.nist.javax.sip.clientauthutils.AuthenticationHelper;
import gov.nist.javax.sip.clientauthutils.UserCredentials;
import gov.nist.javax.sip.message.SIPMessage;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtc.rtp.RtpIoLoop;
import io.srproxy.rtc.rtp.RtpPortAllocator;
import io.srproxy.rtc.rtp.RtpSession;
import io.srproxy.rtc.rtp.RtpSessionListener;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import java.util.concurrent.atomic.LongAdder;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * srproxy's SIP user agent on JAIN-SIP: UDP and TCP on {@code sip_local_port}, registrations,
 * outgoing and incoming calls, OPTIONS keepalive toward the SIP server. JAIN-SIP callbacks only
 * hand work to the registration's or call's serial executor.
 */
public final class SipAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SipAgent.class);
    private static final AtomicInteger STACKS = new AtomicInteger();
    private static final String USER_AGENT = "srproxy";

    private final SipSettings settings;
    private final SipStack stack;
    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final AuthenticationHelper auth;
    private final TrustedPeers trusted;
    private final SipFloodGuard floodGuard;
    private final LongAdder refusedUntrusted = new LongAdder();
    private final LongAdder refusedRate = new LongAdder();
    private final io.srproxy.rtc.MediaCounters rtpMedia = new io.srproxy.rtc.MediaCounters();
    private final String advertisedHost;
    private final int port;
    private final OfferAnswer offerAnswer;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final ExecutorService callPool;
    private final RtpPortAllocator rtpPorts;
    private final RtpIoLoop rtpIo;
    private final LongSupplier nanoClock = System::nanoTime;
    private final Map<String, SipCall> calls = new ConcurrentHashMap<>();
    private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private volatile IncomingCallHandler incoming = call -> call.reject(Response.TEMPORARILY_UNAVAILABLE);
    private volatile boolean closed;

    private SipAgent(SipSettings settings, ScheduledExecutorService scheduler) throws Exception {
        this.settings = settings;
        this.ownScheduler = scheduler == null;
        int id = STACKS.incrementAndGet();
        this.scheduler = scheduler != null ? scheduler
                : Executors.newSingleThreadScheduledExecutor(named("sip-timer-" + id));
        this.callPool = Executors.newFixedThreadPool(2, named("sip-call-" + id));
        this.offerAnswer = OfferAnswer.fromConfig(settings.codecs());
        this.trusted = TrustedPeers.of(settings.serverHost(), settings.trusted());
        this.floodGuard = new SipFloodGuard(settings.requestsPerSecond(), TrustedPeers.serverOnly(settings.serverHost()),
                System::nanoTime);
        InetAddress bind = InetAddress.getByName(settings.bindAddress());
        this.advertisedHost = settings.publicIp().orElseGet(() -> localAddressToward(bind));
        this.rtpPorts = new RtpPortAllocator(bind, settings.rtpPortMin(), settings.rtpPortMax());
        this.rtpIo = new RtpIoLoop("rtp-io-" + id);
        try {
            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            Properties p = new Properties();
            p.setProperty("javax.sip.STACK_NAME", "srproxy-sip-" + id);
            p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
            p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
            p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
            p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
            p.setProperty("gov.nist.javax.sip.AUTOMATIC_DIALOG_ERROR_HANDLING", "false");
            p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
            p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
            // ended dialogs linger 2 s (default 8 s) for late retransmissions; transactions absorb the rest
            p.setProperty("gov.nist.javax.sip.LINGER_TIMER", "2");
            // No outbound proxy: out-of-dialog requests name the server in their Request-URI, in-dialog
            // ones follow the route set and the peer's Contact (RFC 3261 12.2.1.1); behind NAT,
            // public_ip in our Contact/Via and rport keep requests and responses reachable.
            this.stack = factory.createSipStack(p);
            this.addresses = factory.createAddressFactory();
            this.headers = factory.createHeaderFactory();
            this.messages = factory.createMessageFactory();
            ListeningPoint udp = stack.createListeningPoint(settings.bindAddress(), settings.localPort(), "udp");
            this.port = udp.getPort();
            ListeningPoint tcp = stack.createListeningPoint(settings.bindAddress(), port, "tcp");
            this.provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            provider.addSipListener(new Listener());
            this.auth = ((SipStackExt) stack).getAuthenticationHelper(new Accounts(), headers);
        } catch (Exception e) {
            rtpIo.close();
            callPool.shutdownNow();
            if (ownScheduler) {
                this.scheduler.shutdownNow();
            }
            throw e;
        }
        if (settings.password() != null && settings.account() != null) {
            passwords.put(settings.account(), settings.password());
        }
        if (settings.serverHost() != null && !settings.keepalive().isZero()) {
            long ms = settings.keepalive().toMillis();
            this.scheduler.scheduleWithFixedDelay(this::sendKeepalive, ms, ms, TimeUnit.MILLISECONDS);
        }
        log.info("SIP agent on {}:{} (udp, tcp), advertised as {}, server {}", settings.bindAddress(), port,
                advertisedHost, serverDescription());
    }

    /** Starts an agent; {@code scheduler} may be null (the agent makes its own) or a test's. */
    public static SipAgent start(SipSettings settings, ScheduledExecutorService scheduler) {
        try {
            return new SipAgent(settings, scheduler);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the SIP agent on " + settings.bindAddress() + ":"
                    + settings.localPort() + ": " + e.getMessage(), e);
        }
    }

    /** An agent for rtx.conf: SIP and RTP bound on {@code bindAddress}. */
    public static SipAgent start(RtxConfig config, String bindAddress) {
        return start(SipSettings.from(config, bindAddress), null);
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
            return bind.getHostAddress();
        }
        if (settings.serverHost() != null) {
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(new InetSocketAddress(settings.serverHost(), settings.serverPort()));
                InetAddress local = probe.getLocalAddress();
                if (local != null && !local.isAnyLocalAddress()) {
                    return local.getHostAddress();
                }
            } catch (IOException e) {
                log.warn("cannot find the local address toward {}: {}", settings.serverHost(), e.toString());
            }
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
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
        return port;
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
        passwords.put(user, password);
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
        if (settings.serverHost() == null) {
            throw new IllegalStateException("no SIP server configured ([global] sip_svr)");
        }
        if (closed) {
            throw new IllegalStateException("SIP agent is closed");
        }
        String callId = provider.getNewCallId().getCallId();
        OutgoingCall call = new OutgoingCall(this, callId, target, listener);
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
        return ((SipStackExt) stack).getDialogs().size();
    }

    /** The dialogs JAIN-SIP holds, as "call-id state", for leak diagnostics. */
    public List<String> dialogSummary() {
        return ((SipStackExt) stack).getDialogs().stream()
                .map(d -> d.getCallId().getCallId() + " " + d.getState()).toList();
    }

    /** RTP port pairs in use. */
    /** RTP packets of all calls dropped because they came from another source than the call's peer. */
    public long rtpStrayDropped() {
        return rtpMedia.strayDropped.sum();
    }

    /** Exceptions the RTP receive path threw (bugs; each dropped its packet). */
    public long rtpUnexpectedErrors() {
        return rtpIo.unexpectedErrors();
    }

    public int rtpPortsInUse() {
        return rtpPorts.inUse();
    }

    /** RTP to and from the SIP legs, every call's session added up. */
    public io.srproxy.rtc.MediaCounters rtpMedia() {
        return rtpMedia;
    }

    /** Requests answered 403 because their source is neither the SIP server nor in sip_trusted. */
    public long refusedUntrusted() {
        return refusedUntrusted.sum();
    }

    /** Requests dropped because their source sent more than sip_requests_per_second. */
    public long refusedRate() {
        return refusedRate.sum();
    }

    // ---------------------------------------------------------------- for calls and registrations

    SipProvider provider() {
        return provider;
    }

    HeaderFactory headers() {
        return headers;
    }

    MessageFactory messages() {
        return messages;
    }

    AuthenticationHelper auth() {
        return auth;
    }

    OfferAnswer offerAnswer() {
        return offerAnswer;
    }

    /** A client transaction with our T1 (shorter in tests, so timeouts need no long wait). */
    ClientTransaction newClientTransaction(Request request) throws javax.sip.TransactionUnavailableException {
        return applyTimers(provider.getNewClientTransaction(request));
    }

    ClientTransaction applyTimers(ClientTransaction ct) {
        int t1 = (int) settings.t1().toMillis();
        if (t1 != 500) {
            ct.setRetransmitTimer(t1);
        }
        return ct;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService callPool() {
        return callPool;
    }

    String mediaAddress() {
        return advertisedHost;
    }

    String serverDescription() {
        return settings.serverHost() == null ? "(no server)" : settings.serverHost() + ":" + settings.serverPort();
    }

    RtpSession newRtpSession(RtpSessionListener listener) throws IOException {
        return RtpSession.open(rtpPorts, rtpIo, scheduler, nanoClock, RtpSession.Options.of(settings.rtpTimeoutSeconds(), settings.rtpLatching()),
                listener, rtpMedia);
    }

    void forget(SipCall call) {
        calls.remove(call.callId(), call);
    }

    String contactUri(String user) {
        return "sip:" + user + "@" + hostForUri(advertisedHost) + ":" + port;
    }

    ContactHeader contactHeader(String user) throws java.text.ParseException {
        return headers.createContactHeader(addresses.createAddress(contactUri(user)));
    }

    boolean isStale(Response response) {
        for (String name : new String[] {WWWAuthenticateHeader.NAME, "Proxy-Authenticate"}) {
            javax.sip.header.Header h = response.getHeader(name);
            if (h instanceof WWWAuthenticateHeader w && "true".equalsIgnoreCase(w.getParameter("stale"))) {
                return true;
            }
            if (h != null && h.toString().toLowerCase(java.util.Locale.ROOT).contains("stale=true")) {
                return true;
            }
        }
        return false;
    }

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private SipURI serverUri(String user) throws java.text.ParseException {
        SipURI uri = addresses.createSipURI(user, hostForUri(settings.serverHost()));
        if (settings.serverPort() != 5060) {
            uri.setPort(settings.serverPort());
        }
        return uri;
    }

    private Request newRequest(String method, javax.sip.address.URI requestUri, Address from, String fromTag,
                               Address to, String callId, long cseq) throws Exception {
        ViaHeader via = headers.createViaHeader(advertisedHost, port, "udp", null);
        via.setRPort();
        List<ViaHeader> vias = new ArrayList<>();
        vias.add(via);
        CallIdHeader cid = headers.createCallIdHeader(callId);
        CSeqHeader cs = headers.createCSeqHeader(cseq, method);
        FromHeader fromHeader = headers.createFromHeader(from, fromTag);
        ToHeader toHeader = headers.createToHeader(to, null);
        MaxForwardsHeader mf = headers.createMaxForwardsHeader(70);
        Request r = messages.createRequest(requestUri, method, cid, cs, fromHeader, toHeader, vias, mf);
        r.addHeader(headers.createUserAgentHeader(List.of(USER_AGENT)));
        return r;
    }

    Request newRegister(String user, String callId, long cseq, int expires) throws Exception {
        SipURI registrar = addresses.createSipURI(null, hostForUri(settings.serverHost()));
        if (settings.serverPort() != 5060) {
            registrar.setPort(settings.serverPort());
        }
        Address aor = addresses.createAddress(serverUri(user));
        Request r = newRequest(Request.REGISTER, registrar, aor, tag(), aor, callId, cseq);
        r.addHeader(contactHeader(user));
        r.addHeader(headers.createExpiresHeader(expires));
        auth.setAuthenticationHeaders(r); // reuse cached credentials: one round trip per refresh
        return r;
    }

    Request newInvite(OutgoingCall call, OutgoingCall.Target target, String sdp) throws Exception {
        Address from = addresses.createAddress(serverUri(target.fromUser()));
        if (target.displayName() != null && !target.displayName().isEmpty()) {
            from.setDisplayName(target.displayName());
        }
        SipURI callee = target.host() == null ? serverUri(target.number())
                : addresses.createSipURI(target.number(), hostForUri(target.host()));
        if (target.host() != null && target.port() > 0 && target.port() != 5060) {
            callee.setPort(target.port());
        }
        Address to = addresses.createAddress(callee);
        Request r = newRequest(Request.INVITE, callee, from, tag(), to, call.callId(), 1);
        r.addHeader(contactHeader(target.fromUser()));
        r.addHeader(headers.createAllowHeader("INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO"));
        // no "Supported: timer": we do not refresh sessions as UAC, so a peer wanting timers refreshes itself
        for (Map.Entry<String, String> h : target.headers().entrySet()) {
            r.addHeader(headers.createHeader(h.getKey(), h.getValue()));
        }
        ContentTypeHeader ct = headers.createContentTypeHeader("application", "sdp");
        r.setContent(sdp, ct);
        return r;
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 10);
    }

    private void sendKeepalive() {
        if (closed) {
            return;
        }
        try {
            Address us = addresses.createAddress(serverUri(settings.account()));
            SipURI server = addresses.createSipURI(null, hostForUri(settings.serverHost()));
            server.setPort(settings.serverPort());
            Request options = newRequest(Request.OPTIONS, server, us, tag(),
                    addresses.createAddress(serverUri(settings.account())), provider.getNewCallId().getCallId(), 1);
            ClientTransaction ct = newClientTransaction(options);
            ct.setApplicationData(TransactionOwner.IGNORE);
            ct.sendRequest();
        } catch (Exception e) {
            log.debug("keepalive OPTIONS failed: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- JAIN-SIP events

    /** Digest credentials by the From user of the challenged request. */
    private final class Accounts implements AccountManager {
        @Override
        public UserCredentials getCredentials(ClientTransaction challenged, String realm) {
            FromHeader from = (FromHeader) challenged.getRequest().getHeader(FromHeader.NAME);
            String user = ((SipURI) from.getAddress().getURI()).getUser();
            String password = passwords.get(user);
            if (password == null) {
                return null;
            }
            return new UserCredentials() {
                @Override
                public String getUserName() {
                    return user;
                }

                @Override
                public String getPassword() {
                    return password;
                }

                @Override
                public String getSipDomain() {
                    return realm;
                }
            };
        }
    }

    private final class Listener implements SipListenerExt {

        @Override
        public void processRequest(RequestEvent event) {
            Request request = event.getRequest();
            String method = request.getMethod();
            InetAddress source = ((SIPMessage) request).getPeerPacketSourceAddress();
            if (source == null) {
                source = ((SIPMessage) request).getRemoteAddress();
            }
            if (!floodGuard.admit(source)) {
                // dropped, not answered: a 503 per flood packet would cost as much as the flood and,
                // over UDP with a forged source, reflect it at someone else; a real peer retransmits
                refusedRate.increment();
                logSometimes(refusedRate, "{} from {} dropped: over [limits] sip_requests_per_second ({} dropped so far)",
                        method, source);
                return;
            }
            if (Request.ACK.equals(method)) {
                SipCall call = calls.get(callIdOf(request));
                if (call != null) {
                    call.onInDialogRequest(event, null);
                }
                return;
            }
            if (!trusted.allows(source)) {
                refusedUntrusted.increment();
                logSometimes(refusedUntrusted, "{} from untrusted {} refused with 403 (add it to [global] sip_trusted"
                        + " to allow; {} refused so far)", method, source);
                respondStateless(request, Response.FORBIDDEN);
                return;
            }
            try {
                switch (method) {
                    case Request.OPTIONS -> respondStateless(request, Response.OK);
                    case Request.INVITE -> onInvite(event);
                    case Request.CANCEL -> onCancel(event);
                    default -> {
                        SipCall call = calls.get(callIdOf(request));
                        if (call == null) {
                            respondStateless(request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                            return;
                        }
                        call.onInDialogRequest(event, serverTransaction(event));
                    }
                }
            } catch (Exception e) {
                log.warn("cannot handle {}: {}", method, e.toString());
            }
        }

        /** Warns on the 1st, 2nd, 4th, 8th ... refusal, so a flood cannot flood the log too. */
        private void logSometimes(LongAdder count, String format, String method, InetAddress source) {
            long n = count.sum();
            if (Long.bitCount(n) == 1) {
                log.warn(format, method, source == null ? "?" : source.getHostAddress(), n);
            }
        }

        private void onInvite(RequestEvent event) throws Exception {
            Request request = event.getRequest();
            SipCall existing = calls.get(callIdOf(request));
            ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
            if (existing != null && to.getTag() != null) {
                existing.onInDialogRequest(event, serverTransaction(event)); // re-INVITE
                return;
            }
            if (existing != null) {
                return; // a retransmission the stack did not absorb
            }
            if (to.getTag() != null) {
                respondStateless(request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST); // re-INVITE of a call we do not know
                return;
            }
            ServerTransaction st = serverTransaction(event);
            if (st == null) {
                return;
            }
            st.sendResponse(messages.createResponse(Response.TRYING, request));
            if (closed) {
                st.sendResponse(messages.createResponse(Response.SERVICE_UNAVAILABLE, request));
                return;
            }
            IncomingCall call;
            try {
                call = new IncomingCall(SipAgent.this, st, request, settings.prefix(), passwords.keySet());
            } catch (IOException noPorts) {
                log.error("refusing INVITE: {}", noPorts.getMessage());
                st.sendResponse(messages.createResponse(Response.SERVICE_UNAVAILABLE, request));
                return;
            }
            calls.put(call.callId(), call);
            call.offered(incoming);
        }

        private void onCancel(RequestEvent event) throws Exception {
            Request cancel = event.getRequest();
            ServerTransaction st = serverTransaction(event);
            SipCall call = calls.get(callIdOf(cancel));
            Response r = messages.createResponse(call == null ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST : Response.OK, cancel);
            if (st != null) {
                st.sendResponse(r);
            } else {
                provider.sendResponse(r);
            }
            if (call instanceof IncomingCall in) {
                in.onCancel();
            }
        }

        private ServerTransaction serverTransaction(RequestEvent event) {
            ServerTransaction st = event.getServerTransaction();
            if (st != null) {
                return st;
            }
            try {
                return provider.getNewServerTransaction(event.getRequest());
            } catch (TransactionAlreadyExistsException retransmission) {
                return null;
            } catch (Exception e) {
                log.debug("no server transaction for {}: {}", event.getRequest().getMethod(), e.toString());
                return null;
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            ClientTransaction ct = event.getClientTransaction();
            if (ct != null && ct.getApplicationData() instanceof TransactionOwner owner) {
                owner.onResponse(event);
            }
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            ClientTransaction ct = event.getClientTransaction();
            if (ct != null && ct.getApplicationData() instanceof TransactionOwner owner) {
                owner.onTimeout(event);
            }
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            log.warn("SIP I/O error toward {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
            // transactions clean themselves up
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
            // calls end through their own events; dialogs are freed by the stack
        }

        @Override
        public void processDialogTimeout(DialogTimeoutEvent event) {
            Dialog d = event.getDialog();
            SipCall call = d == null ? null : calls.get(d.getCallId().getCallId());
            if (event.getReason() == DialogTimeoutEvent.Reason.AckNotReceived && call instanceof IncomingCall in) {
                in.onAckTimeout();
            }
            if (d != null) {
                d.delete();
            }
        }
    }

    private static String callIdOf(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    private void respondStateless(Request request, int status) {
        try {
            provider.sendResponse(messages.createResponse(status, request));
        } catch (Exception e) {
            log.debug("cannot answer {} with {}: {}", request.getMethod(), status, e.toString());
        }
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
        stack.stop();
        rtpIo.close();
        callPool.shutdown();
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
        log.info("SIP agent on port {} stopped", port);
    }

    /** Test hook: names of the agent's own threads start with these. */
    public static Set<String> threadNamePrefixes() {
        return Set.of("sip-timer-", "sip-call-", "rtp-io-");
    }
}
