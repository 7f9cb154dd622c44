package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP legs that run at another node than their call (docs/cluster.md, "SIP legs on the channel's
 * node"). An app->SIP call whose RTC channel lives at node B, while its acc_rule account is held
 * here, asks B to run the SIP leg there, next to the app's media; B reports the leg's progress and
 * this node drives the RTM invitation as for a local leg. This class keeps both sides: the legs
 * asked of other nodes (by call id) and the legs run here for other nodes (by node and call id),
 * which count against {@code [limits] max_calls} like any call and end when their node dies.
 */
final class RemoteLegs {

    private static final Logger log = LoggerFactory.getLogger(RemoteLegs.class);

    /** A node asked to run a leg says {@code PLACED} (or why not) within this, or the call ends. */
    static final Duration PLACE_WAIT = Duration.ofSeconds(5);
    /**
     * A node asked to hang a leg up says {@code ENDED} within this, or this node ends its half of the
     * call without it (the HANG_UP or the ENDED was lost, e.g. while Redis was away): otherwise the
     * call, and so its acc_rule account, would stay busy here until the app logged out.
     */
    static final Duration HANG_UP_WAIT = Duration.ofSeconds(5);

    private final GatewayContext ctx;
    private final Duration hangUpWait;
    /** Legs this node asked for, by call id. */
    private final Map<String, Requested> requested = new ConcurrentHashMap<>();
    /** Legs this node runs for others, by {@code <node> <call id>}. */
    private final Map<String, HostedSipLeg> hosted = new ConcurrentHashMap<>();

    private static final class Requested {
        final String node;
        final Consumer<LegMessage> events;
        volatile boolean heard;

        Requested(String node, Consumer<LegMessage> events) {
            this.node = node;
            this.events = events;
        }
    }

    RemoteLegs(GatewayContext ctx) {
        this(ctx, HANG_UP_WAIT);
    }

    RemoteLegs(GatewayContext ctx, Duration hangUpWait) {
        this.ctx = ctx;
        this.hangUpWait = hangUpWait;
        ctx.cluster().onLegMessage(this::received);
        ctx.cluster().onNodeGone(this::nodeGone);
    }

    // ---- the requesting side ----

    /**
     * Asks {@code node} to run call {@code leg}'s SIP leg; {@code events} gets its progress, ending
     * with one {@code ENDED} (also when the node does not answer in time or dies).
     */
    void place(String node, String leg, String account, String appUid, String channel, String content,
               Consumer<LegMessage> events) {
        Requested r = new Requested(node, events);
        requested.put(leg, r);
        ctx.cluster().sendLeg(node, LegMessage.place(leg, account, appUid, channel, content));
        try {
            ctx.timers().schedule(() -> {
                if (!r.heard && requested.remove(leg, r)) {
                    log.warn("call {}: node {} did not take the SIP leg within {} s", leg, LogSafe.of(node), PLACE_WAIT.toSeconds());
                    ctx.cluster().sendLeg(node, LegMessage.of(LegMessage.Kind.HANG_UP, leg, 0, null));
                    events.accept(LegMessage.of(LegMessage.Kind.ENDED, leg, 500, "node " + node + " did not take the SIP leg"));
                }
            }, PLACE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            log.debug("call {}: stopping, no wait for node {}", leg, LogSafe.of(node)); // the shutdown hangs it up
        }
    }

    /** Hangs up a leg asked of another node; its {@code ENDED} follows (at the latest after {@link #HANG_UP_WAIT}). */
    void hangUp(String leg) {
        Requested r = requested.get(leg);
        if (r == null) {
            return;
        }
        ctx.cluster().sendLeg(r.node, LegMessage.of(LegMessage.Kind.HANG_UP, leg, 0, null));
        try {
            ctx.timers().schedule(() -> {
                if (requested.remove(leg, r)) {
                    log.warn("call {}: node {} did not confirm the hang-up within {} ms; ending the call here", leg,
                            LogSafe.of(r.node), hangUpWait.toMillis());
                    r.events.accept(LegMessage.of(LegMessage.Kind.ENDED, leg, 500, "node " + r.node + " did not confirm the hang-up"));
                }
            }, hangUpWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            log.debug("call {}: stopping, no wait for node {}", leg, LogSafe.of(r.node));
        }
    }

    // ---- the running side ----

    private void received(LegMessage m) {
        switch (m.kind()) {
            case PLACE -> host(m);
            case HANG_UP -> {
                HostedSipLeg h = hosted.get(key(m.from(), m.leg()));
                if (h != null) {
                    h.hangUp("node " + m.from() + " hung up (app side)");
                } else { // over here already, and its ENDED was lost (Redis away): the requester ends its half now
                    report(m.from(), m.leg(), LegMessage.Kind.ENDED, 481, "no such SIP leg at node " + nodeHere());
                }
            }
            default -> {
                Requested r = requested.get(m.leg());
                if (r == null || !r.node.equals(m.from())) {
                    return; // over already, or not from the node we asked
                }
                r.heard = true;
                if (m.kind() == LegMessage.Kind.ENDED) {
                    requested.remove(m.leg(), r);
                }
                r.events.accept(m);
            }
        }
    }

    private void host(LegMessage m) {
        String key = key(m.from(), m.leg());
        if (hosted.containsKey(key)) {
            return;
        }
        if (!ctx.config().rtm2sip().on() || m.account() == null || !ctx.config().rtm2sip().accounts().contains(m.account())
                || m.appUid() == null || m.channel() == null) {
            log.warn("node {} asked for a SIP leg of account {}, which is not an acc_rule account here: refused",
                    LogSafe.of(m.from()), LogSafe.of(m.account()));
            report(m.from(), m.leg(), LegMessage.Kind.ENDED, 403, "not an acc_rule account at node " + nodeHere());
            return;
        }
        InvitationContent content;
        try {
            content = InvitationContent.parse(m.content());
        } catch (InvitationContent.Invalid e) {
            report(m.from(), m.leg(), LegMessage.Kind.ENDED, 400, e.getMessage());
            return;
        }
        if (ctx.atCallLimit()) {
            log.warn("node {} asked for a SIP leg: refused, call limit reached ([limits] max_calls)", LogSafe.of(m.from()));
            report(m.from(), m.leg(), LegMessage.Kind.ENDED, 503, "srproxy is at its call limit");
            return;
        }
        HostedSipLeg leg = new HostedSipLeg(ctx, this, m.from(), m.leg(), m.account(), m.appUid(), m.channel(), content);
        hosted.put(key, leg);
        leg.start();
    }

    void report(String node, String leg, LegMessage.Kind kind, int status, String text) {
        ctx.cluster().sendLeg(node, LegMessage.of(kind, leg, status, text));
    }

    void hostedEnded(HostedSipLeg leg) {
        hosted.remove(key(leg.requester(), leg.leg()), leg);
    }

    private String nodeHere() {
        return ctx.config().cluster().nodeId();
    }

    /** A dead node's legs here end (nobody drives them any more); legs asked of it are over. */
    private void nodeGone(String node) {
        hosted.values().stream().filter(h -> h.requester().equals(node)).forEach(h -> h.hangUp("node " + node + " is gone"));
        requested.forEach((leg, r) -> {
            if (r.node.equals(node) && requested.remove(leg, r)) {
                r.events.accept(LegMessage.of(LegMessage.Kind.ENDED, leg, 480, "node " + node + " running the SIP leg is gone"));
            }
        });
    }

    private static String key(String node, String leg) {
        return node + " " + leg;
    }
}
