package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import io.srproxy.config.RtxConfig;
import io.srproxy.rtc.ChannelRegistry;
import io.srproxy.rtc.RtcException;
import io.srproxy.rtm.ConnectionState;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.RtmService;
import io.srproxy.sip.IncomingCall;
import io.srproxy.sip.Registration;
import io.srproxy.sip.SipAgent;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SRProxy itself: with {@code [proxy] on}, registers the proxy extension and takes SIP calls to
 * {@code <prefix><uid>} to app users; with {@code [rtm2sip] on}, keeps every acc_rule account
 * online in RTM so apps can call those SIP extensions. Every RTM account it holds is logged in
 * again within a second of a loss.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** An RTM account the gateway holds, for /api/accounts. */
    public record Account(String uid, String role, String state) {}

    private final GatewayContext ctx;
    private final GatewayCluster cluster;
    private final List<GatewayAccount> accounts = new ArrayList<>();
    private final Set<String> reserved;
    /** The RTM uid the proxy client logs in with: {@code [proxy] rtm_account}, or one per node in a cluster. */
    private final String proxyUid;
    /** SIP calls here that another node took (a forking SIP server's other branches), waiting for its answer. */
    private final java.util.concurrent.atomic.AtomicInteger otherBranches = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean leasing;
    private RtmClient proxyClient;
    private Registration registration;

    private Gateway(GatewayContext ctx, GatewayCluster cluster) {
        this.ctx = ctx;
        this.cluster = cluster;
        this.reserved = ctx.config().reservedUids();
        this.proxyUid = proxyUid(ctx.config());
    }

    /**
     * The proxy client only queries presence. On one node it logs in as {@code [proxy] rtm_account};
     * in a cluster every node needs its own (one uid logs in at one node only), a gateway identity
     * no app may log in with: {@code sip~~n.<node_id>}.
     */
    static String proxyUid(RtxConfig config) {
        if (!config.cluster().on()) {
            return config.proxy().rtmAccount();
        }
        String node = config.cluster().nodeId();
        if (node.length() > 57) { // uids are at most 64 bytes
            node = java.util.UUID.nameUUIDFromBytes(node.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        }
        return CallIdentities.CALLER_PREFIX + "~n." + node;
    }

    /** Starts whatever rtx.conf switches on, on one node. */
    public static Gateway start(RtxConfig config, RtmService rtm, SipAgent sip, ChannelRegistry channels, CallLog calls) {
        return start(config, rtm, sip, channels, calls, GatewayCluster.LOCAL);
    }

    /** Starts whatever rtx.conf switches on; the SIP agent must exist when either direction is on. */
    public static Gateway start(RtxConfig config, RtmService rtm, SipAgent sip, ChannelRegistry channels, CallLog calls,
                                GatewayCluster cluster) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemon("gateway"));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("gateway-timer"));
        Gateway g = new Gateway(new GatewayContext(config, new DialPlan(config), rtm, sip, channels, calls, pool,
                timers, Clock.systemUTC(), ConcurrentHashMap.newKeySet(), new java.util.concurrent.atomic.LongAdder(),
                new CallIdentities(), cluster), cluster);
        g.startDirections();
        return g;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void startDirections() {
        RtxConfig config = ctx.config();
        if (config.proxy().on()) {
            proxyClient = ctx.rtm().createClient(new ProxyAccountListener());
            registration = ctx.sip().registerProxyAccount((r, state, detail) ->
                    log.info("SIP registration {}: {} {}", r.user(), state, detail == null ? "" : LogSafe.of(detail)));
            ctx.sip().onIncomingCall(this::onIncomingCall);
            log.info("SIP -> app on: extension {} at {}, RTM uid {}, prefix '{}'", config.proxy().sipAccount(),
                    config.global().sipServer().orElseThrow(), proxyUid, config.proxy().prefix());
        }
        if (config.rtm2sip().on()) {
            RemoteLegs legs = new RemoteLegs(ctx); // only used when a channel lives at another node
            for (String uid : config.rtm2sip().accounts()) {
                accounts.add(new GatewayAccount(ctx, uid, legs));
            }
            log.info("app -> SIP on: {} accounts ({})", accounts.size(), config.rtm2sip().accRule());
        }
        checkAccounts();
        ctx.timers().scheduleWithFixedDelay(this::checkAccounts, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Every second: each RTM account the gateway holds is logged in, or is being logged in again.
     * An acc_rule account is held by one node of a cluster (a lease renewed here); the others leave it.
     */
    private void checkAccounts() {
        try {
            if (proxyClient != null && proxyClient.connectionState() != ConnectionState.CONNECTED
                    && proxyClient.connectionState() != ConnectionState.CONNECTING) {
                proxyClient.login(proxyUid, null).whenComplete((ok, e) -> {
                    if (e != null) {
                        log.warn("proxy RTM account {}: login failed: {}", proxyUid, LogSafe.of(e.getMessage()));
                    }
                });
            }
            if (!accounts.isEmpty() && !leasing) {
                leasing = true;
                cluster.hold(accounts.stream().map(GatewayAccount::uid).toList()).whenComplete((held, e) -> {
                    try {
                        ctx.timers().execute(() -> leased(held));
                    } catch (java.util.concurrent.RejectedExecutionException stopping) {
                        leasing = false;
                    }
                });
            }
        } catch (RuntimeException e) {
            leasing = false;
            log.warn("account check failed: {}", e.toString());
        }
    }

    /** {@code held}: the accounts this node holds now; null when Redis could not say (each keeps its state). */
    private void leased(Set<String> held) {
        leasing = false;
        for (GatewayAccount a : accounts) {
            try {
                a.leased(held == null ? a.held() : held.contains(a.uid()));
            } catch (RuntimeException e) {
                log.warn("gateway account {}: {}", a.uid(), e.toString());
            }
        }
    }

    /** Calls refused because {@code [limits] max_calls} were in progress. */
    public long refusedCalls() {
        return ctx.refusedCalls().sum();
    }

    private void onIncomingCall(IncomingCall call) {
        if (ctx.atCallLimit()) {
            log.warn("SIP call {} refused: {} calls in progress ([limits] max_calls)", LogSafe.of(call.callId()), ctx.live().size());
            call.reject(503);
            return;
        }
        if (dialIn(call)) {
            return;
        }
        String uid = call.calledNumber();
        if (uid.isEmpty() || call.prefix().isEmpty() && !ctx.config().proxy().prefix().isEmpty()) {
            log.info("SIP call {} to '{}' lacks the dial prefix '{}': 404", LogSafe.of(call.callId()), LogSafe.of(call.dialledNumber()),
                    ctx.config().proxy().prefix());
            call.reject(404);
            return;
        }
        if (reserved.contains(uid) || CallIdentities.isPerCallUid(uid)) {
            log.info("SIP call {} to the gateway's own account {}: 403", LogSafe.of(call.callId()), LogSafe.of(uid));
            call.reject(403);
            return;
        }
        onceInCluster(call, () -> new SipToAppCall(ctx, call, uid, proxyClient,
                status -> cluster.callOutcome(call.callId(), call.fromTag(), status)).start());
    }

    /**
     * Runs {@code take} if this node is the first of the cluster to see the call (always on one
     * node), else makes this branch answer as the node that took it does.
     */
    private void onceInCluster(IncomingCall call, Runnable take) {
        var claimed = cluster.claimCall(call.callId(), call.fromTag()).toCompletableFuture();
        java.util.function.BiConsumer<GatewayCluster.CallClaim, Throwable> then = (claim, e) -> {
            if (call.isEnded()) { // cancelled while Redis was asked: the other node's answer went first
                log.info("SIP call {} to {}: ended before the cluster said which node takes it", LogSafe.of(call.callId()),
                        LogSafe.of(call.calledNumber()));
                return;
            }
            if (claim == null || claim.ours()) {
                take.run();
            } else {
                otherBranch(call, claim);
            }
        };
        if (claimed.isDone()) { // one node: at once, within the handler
            claimed.whenComplete(then);
        } else { // off Redis's I/O thread
            claimed.whenCompleteAsync(then, ctx.pool());
        }
    }

    /**
     * The SIP server sent this call to another node too (it forks to every node's contact), and
     * that node took it: this branch stays quiet (100 Trying) and ends as that node's did, so the
     * server's choice of the best answer is that node's answer: its refusal status, or 487 after
     * its 200 (the server cancels this branch itself then). Never answers 200: one app invitation.
     */
    private void otherBranch(IncomingCall call, GatewayCluster.CallClaim claim) {
        if (otherBranches.incrementAndGet() > ctx.config().limits().maxCalls()) {
            otherBranches.decrementAndGet();
            log.warn("SIP call {}: a branch of a call node {} took, refused: too many waiting", LogSafe.of(call.callId()),
                    LogSafe.of(claim.node()));
            call.reject(503);
            return;
        }
        log.info("SIP call {} to {}: node {} took it; this branch answers as it does", LogSafe.of(call.callId()),
                LogSafe.of(call.calledNumber()), LogSafe.of(claim.node()));
        call.setListener(new io.srproxy.sip.CallListener() { }); // a CANCEL ends it with 487 in the SIP layer
        claim.outcome().whenComplete((status, e) -> {
            otherBranches.decrementAndGet();
            int s = status == null ? 480 : status < 300 ? 487 : Math.min(status, 699);
            if (!call.isEnded()) {
                log.info("SIP call {}: node {} answered {}: this branch answers {}", LogSafe.of(call.callId()),
                        LogSafe.of(claim.node()), status, s);
                call.reject(s);
            }
        });
    }

    /** {@code <[conference] prefix><room>}: the phone joins the room; true when the call was one. */
    private boolean dialIn(IncomingCall call) {
        RtxConfig.Conference conf = ctx.config().conference();
        String dialled = call.dialledNumber();
        if (!conf.on() || !dialled.startsWith(conf.prefix()) || dialled.length() == conf.prefix().length()) {
            return false;
        }
        String room = dialled.substring(conf.prefix().length());
        try {
            ChannelRegistry.validateChannelId(room);
        } catch (RtcException e) {
            log.info("SIP call {} to room '{}': {}: 404", LogSafe.of(call.callId()), LogSafe.of(room), e.getMessage());
            call.reject(404);
            return true;
        }
        if (!call.answerOnly(ConferenceCall.codecs(ctx.sip()), "a conference room takes PCMU or PCMA only")) {
            return true; // refused 488, the reason in a Warning header
        }
        // the checks above answer alike at every node; a room's call is answered at once (200)
        onceInCluster(call, () -> {
            new ConferenceCall(ctx, call, room, conf.pin()).start();
            cluster.callOutcome(call.callId(), call.fromTag(), 200);
        });
        return true;
    }

    /** The proxy account's RTM identity takes no calls: apps call the SIP side through acc_rule accounts. */
    private static final class ProxyAccountListener implements RtmListener {
        @Override
        public void onRemoteInvitationReceived(RemoteInvitation invitation) {
            invitation.setResponse(GatewayMessages.error("this is the gateway's own account; call an extension instead"))
                    .refuse();
        }
    }

    public List<Account> accounts() {
        List<Account> list = new ArrayList<>();
        if (proxyClient != null) {
            list.add(new Account(proxyUid, "proxy", proxyClient.connectionState().name()));
        }
        for (GatewayAccount a : accounts) {
            list.add(new Account(a.uid(), "rtm2sip", a.held() ? a.client().connectionState().name() : "HELD_ELSEWHERE"));
        }
        return list;
    }

    /** SIP registrations for /api/registrations. */
    public List<Map<String, Object>> registrations() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Registration r : ctx.sip().registrations()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("account", r.user());
            m.put("state", r.state().name());
            m.put("server", ctx.config().global().sipServer().map(Object::toString).orElse(""));
            m.put("grantedExpires", r.grantedExpires());
            m.put("detail", r.stateDetail());
            list.add(m);
        }
        return list;
    }

    /** The proxy extension is registered (or there is none): /healthz's "sip" check, follows every state change. */
    public boolean registered() {
        return registration == null || registration.state() == io.srproxy.sip.RegistrationState.REGISTERED;
    }

    /** For /healthz: "registered", or why not, e.g. "proxy extension not registered (RETRYING: server unreachable)". */
    public String registrationSummary() {
        Registration r = registration;
        if (registered()) {
            return "registered";
        }
        return "proxy extension not registered (" + r.state() + ": " + r.stateDetail() + ")";
    }

    /** How long a shutdown waits for calls to be hung up before the SIP agent closes. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(4);

    /** Hangs up every live call (BYE or CANCEL on SIP, EndCall to the app), then logs the accounts out. */
    @Override
    public void close() {
        ctx.timers().shutdownNow();
        List<BridgedCall> live = List.copyOf(ctx.live());
        if (!live.isEmpty()) {
            log.info("shutting down: hanging up {} call(s)", live.size());
            live.forEach(BridgedCall::shutdown);
            long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
            while (!ctx.live().isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            if (!ctx.live().isEmpty()) {
                log.warn("{} call(s) did not end within {} s; the SIP agent ends them", ctx.live().size(), SHUTDOWN_WAIT.toSeconds());
            }
        }
        accounts.forEach(GatewayAccount::close);
        cluster.release(accounts.stream().filter(GatewayAccount::held).map(GatewayAccount::uid).toList());
        if (proxyClient != null) {
            proxyClient.close();
        }
        ctx.pool().shutdown();
    }
}
