package io.srproxy.rtm;

import io.srproxy.log.LogSafe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of every call invitation: one state machine per invitation, run on the
 * service's executor, so that a cancel crossing an accept has one outcome both sides see. Ended
 * invitations are forgotten; acting on one answers ALREADY_END.
 */
final class Invitations {

    private static final Logger log = LoggerFactory.getLogger(Invitations.class);

    /** Where a live invitation stands; ending it removes it. */
    enum Phase { WAITING_FOR_CALLEE, DELIVERED, RECEIVED, ACCEPTING }

    private static final class Invitation {
        final String id;
        final Connection caller;
        final String callerId;
        final String calleeId;
        final String content;
        final String channelId;
        Connection callee;
        Phase phase;
        Timers.Cancellable timer;
        int timerGeneration;

        Invitation(String id, Connection caller, String calleeId, String content, String channelId) {
            this.id = id;
            this.caller = caller;
            this.callerId = caller.uid;
            this.calleeId = calleeId;
            this.content = content;
            this.channelId = channelId;
        }

        @Override
        public String toString() {
            return "invitation " + LogSafe.of(id) + " " + callerId + "->" + LogSafe.of(calleeId) + " " + phase;
        }
    }

    private final Map<String, Invitation> live = new HashMap<>();
    private final Map<String, List<Invitation>> waitingByCallee = new HashMap<>();
    private final Timers timers;
    private final Executor executor;
    private final RtmTimeouts timeouts;
    private final Function<String, Connection> sessions;
    private final InvitationOutcomes outcomes = new InvitationOutcomes();

    private final java.util.function.Consumer<String> waitingFor;
    private final java.util.function.Consumer<String> notWaitingFor;

    /**
     * {@code sessions} finds a callee's session on this node; {@code waitingFor} / {@code notWaitingFor}
     * hear when invitations start and stop waiting for an offline uid (a cluster watches it log in elsewhere).
     */
    Invitations(Timers timers, Executor executor, RtmTimeouts timeouts, Function<String, Connection> sessions,
                java.util.function.Consumer<String> waitingFor, java.util.function.Consumer<String> notWaitingFor) {
        this.timers = timers;
        this.executor = executor;
        this.timeouts = timeouts;
        this.sessions = sessions;
        this.waitingFor = waitingFor;
        this.notWaitingFor = notWaitingFor;
    }

    /** Invitations wait for {@code uid} to log in. */
    boolean waitingFor(String uid) {
        return waitingByCallee.containsKey(uid);
    }

    InvitationOutcomes outcomes() {
        return outcomes;
    }

    int liveCount() {
        return live.size();
    }

    void invite(Connection caller, RtmRequest.Invite r) {
        String id = checkId(r.invitationId());
        RtmLimits.uid("calleeId", r.calleeId());
        String content = RtmLimits.text("content", r.content(), RtmLimits.MAX_INVITATION_CONTENT_BYTES);
        String channelId = RtmLimits.channelId("channelId", r.channelId());
        if (r.calleeId().equals(caller.uid)) {
            throw RtmLimits.invalid("calleeId is the caller's own uid");
        }
        if (live.containsKey(id)) {
            throw new RtmException(RtmError.ALREADY_SENT, "invitation " + id + " was already sent");
        }
        Invitation inv = new Invitation(id, caller, r.calleeId(), content, channelId);
        live.put(id, inv);
        caller.invitationIds.add(id);
        Connection callee = sessions.apply(inv.calleeId);
        if (callee != null) {
            deliver(inv, callee);
        } else {
            inv.phase = Phase.WAITING_FOR_CALLEE;
            waitingByCallee.computeIfAbsent(inv.calleeId, k -> {
                waitingFor.accept(k);
                return new ArrayList<>();
            }).add(inv);
            schedule(inv, timeouts.offlineRetry(), () -> {
                end(inv);
                outcomes.failed(LocalInvitationFailureReason.PEER_OFFLINE);
                inv.caller.deliver(new RtmEvent.LocalInvitationFailure(id, LocalInvitationFailureReason.PEER_OFFLINE));
            });
        }
        log.debug("{} sent", inv);
    }

    /** A callee logged in: invitations waiting for it are delivered now. */
    void loggedIn(Connection callee) {
        List<Invitation> waiting = waitingByCallee.remove(callee.uid);
        if (waiting != null) {
            notWaitingFor.accept(callee.uid);
            waiting.forEach(inv -> deliver(inv, callee));
        }
    }

    void ack(Connection conn, String invitationId) {
        Invitation inv = find(invitationId);
        requireCallee(conn, inv, "acknowledge");
        if (inv.phase == Phase.DELIVERED) {
            markReceived(inv);
        }
    }

    void accept(Connection conn, RtmRequest.AcceptInvitation r) {
        Invitation inv = find(r.invitationId());
        String response = checkAnswer(conn, inv, r.response(), "accept");
        inv.phase = Phase.ACCEPTING;
        schedule(inv, timeouts.acceptAck(), () -> {
            end(inv);
            outcomes.failed(LocalInvitationFailureReason.PEER_NO_RESPONSE);
            inv.callee.deliver(new RtmEvent.RemoteInvitationFailure(inv.id, RemoteInvitationFailureReason.ACCEPT_FAILURE));
            inv.caller.deliver(new RtmEvent.LocalInvitationFailure(inv.id, LocalInvitationFailureReason.PEER_NO_RESPONSE));
        });
        inv.caller.deliver(new RtmEvent.LocalInvitationAccepted(inv.id, response));
    }

    /**
     * What accepting and refusing share: only the callee answers, the response fits, nobody has
     * accepted yet; an answer also counts as the receipt the callee may not have sent.
     */
    private String checkAnswer(Connection conn, Invitation inv, String rawResponse, String verb) {
        requireCallee(conn, inv, verb);
        String response = RtmLimits.text("response", rawResponse, RtmLimits.MAX_INVITATION_CONTENT_BYTES);
        if (inv.phase == Phase.ACCEPTING) {
            throw new RtmException(RtmError.ALREADY_ACCEPT, "invitation " + inv.id + " is already accepted");
        }
        if (inv.phase == Phase.DELIVERED) {
            markReceived(inv);
        }
        return response;
    }

    void ackAccept(Connection conn, String invitationId) {
        Invitation inv = find(invitationId);
        requireCaller(conn, inv, "acknowledge an accept of");
        if (inv.phase != Phase.ACCEPTING) {
            throw new RtmException(RtmError.NOT_STARTED, "invitation " + inv.id + " has not been accepted");
        }
        end(inv);
        outcomes.ended(InvitationOutcomes.Outcome.ACCEPTED);
        inv.callee.deliver(new RtmEvent.RemoteInvitationAccepted(inv.id));
        log.debug("{} accepted", inv);
    }

    void refuse(Connection conn, RtmRequest.RefuseInvitation r) {
        Invitation inv = find(r.invitationId());
        String response = checkAnswer(conn, inv, r.response(), "refuse");
        end(inv);
        outcomes.ended(InvitationOutcomes.Outcome.REFUSED);
        inv.caller.deliver(new RtmEvent.LocalInvitationRefused(inv.id, response));
        inv.callee.deliver(new RtmEvent.RemoteInvitationRefused(inv.id));
    }

    void cancel(Connection conn, String invitationId) {
        Invitation inv = find(invitationId);
        requireCaller(conn, inv, "cancel");
        if (inv.phase == Phase.ACCEPTING) {
            throw new RtmException(RtmError.ALREADY_ACCEPT, "invitation " + inv.id + " is already accepted");
        }
        end(inv);
        outcomes.ended(InvitationOutcomes.Outcome.CANCELED);
        inv.caller.deliver(new RtmEvent.LocalInvitationCanceled(inv.id));
        if (inv.callee != null) {
            inv.callee.deliver(new RtmEvent.RemoteInvitationCanceled(inv.id));
        }
    }

    /** A session ended (logout, vanished, replaced): its invitations end and the other side is told. */
    void left(Connection conn) {
        for (String id : List.copyOf(conn.invitationIds)) {
            Invitation inv = live.get(id);
            if (inv == null) {
                continue;
            }
            end(inv);
            if (inv.caller == conn) {
                outcomes.failed(LocalInvitationFailureReason.NOT_LOGGEDIN);
                if (inv.callee != null) {
                    inv.callee.deliver(new RtmEvent.RemoteInvitationFailure(id, inv.phase == Phase.ACCEPTING
                            ? RemoteInvitationFailureReason.ACCEPT_FAILURE : RemoteInvitationFailureReason.PEER_OFFLINE));
                }
            } else if (inv.phase == Phase.ACCEPTING) {
                outcomes.ended(InvitationOutcomes.Outcome.ACCEPTED);
            } else {
                // after an accept the caller already has its outcome; presence tells it the callee left
                outcomes.failed(LocalInvitationFailureReason.PEER_OFFLINE);
                inv.caller.deliver(new RtmEvent.LocalInvitationFailure(id, LocalInvitationFailureReason.PEER_OFFLINE));
            }
            log.debug("{} ended: {} left", inv, conn);
        }
        conn.invitationIds.clear();
    }

    private void deliver(Invitation inv, Connection callee) {
        inv.callee = callee;
        inv.phase = Phase.DELIVERED;
        callee.invitationIds.add(inv.id);
        schedule(inv, timeouts.noAck(), () -> {
            end(inv);
            outcomes.failed(LocalInvitationFailureReason.PEER_NO_RESPONSE);
            inv.caller.deliver(new RtmEvent.LocalInvitationFailure(inv.id, LocalInvitationFailureReason.PEER_NO_RESPONSE));
            inv.callee.deliver(new RtmEvent.RemoteInvitationFailure(inv.id, RemoteInvitationFailureReason.INVITATION_EXPIRE));
        });
        callee.deliver(new RtmEvent.RemoteInvitationReceived(inv.id, inv.callerId, inv.content, inv.channelId));
    }

    private void markReceived(Invitation inv) {
        inv.phase = Phase.RECEIVED;
        schedule(inv, timeouts.expire(), () -> {
            end(inv);
            outcomes.failed(LocalInvitationFailureReason.INVITATION_EXPIRE);
            inv.caller.deliver(new RtmEvent.LocalInvitationFailure(inv.id, LocalInvitationFailureReason.INVITATION_EXPIRE));
            inv.callee.deliver(new RtmEvent.RemoteInvitationFailure(inv.id, RemoteInvitationFailureReason.INVITATION_EXPIRE));
        });
        inv.caller.deliver(new RtmEvent.LocalInvitationReceivedByPeer(inv.id));
    }

    /** One timer per invitation: a new one replaces the old; a fired timer of an older generation does nothing. */
    private void schedule(Invitation inv, Duration delay, Runnable onTimeout) {
        cancelTimer(inv);
        int generation = ++inv.timerGeneration;
        inv.timer = timers.schedule(delay, () -> executor.execute(() -> {
            if (live.get(inv.id) == inv && inv.timerGeneration == generation) {
                log.debug("{} timed out after {}", inv, delay);
                onTimeout.run();
            }
        }));
    }

    private void cancelTimer(Invitation inv) {
        if (inv.timer != null) {
            inv.timer.cancel();
            inv.timer = null;
        }
        inv.timerGeneration++;
    }

    private void end(Invitation inv) {
        live.remove(inv.id);
        cancelTimer(inv);
        inv.caller.invitationIds.remove(inv.id);
        if (inv.callee != null) {
            inv.callee.invitationIds.remove(inv.id);
        }
        if (inv.phase == Phase.WAITING_FOR_CALLEE) {
            List<Invitation> waiting = waitingByCallee.get(inv.calleeId);
            if (waiting != null && waiting.remove(inv) && waiting.isEmpty()) {
                waitingByCallee.remove(inv.calleeId);
                notWaitingFor.accept(inv.calleeId);
            }
        }
    }

    private Invitation find(String invitationId) {
        Invitation inv = invitationId == null ? null : live.get(invitationId);
        if (inv == null) {
            throw new RtmException(RtmError.ALREADY_END, "no live invitation '" + invitationId
                    + "' (unknown, or already accepted, refused, cancelled or failed)");
        }
        return inv;
    }

    private static void requireCallee(Connection conn, Invitation inv, String action) {
        if (inv.callee != conn) {
            throw new RtmException(RtmError.NOT_ALLOWED, "only the callee of invitation " + inv.id + " may " + action + " it");
        }
    }

    private static void requireCaller(Connection conn, Invitation inv, String action) {
        if (inv.caller != conn) {
            throw new RtmException(RtmError.NOT_ALLOWED, "only the caller of invitation " + inv.id + " may " + action + " it");
        }
    }

    private static String checkId(String id) {
        if (id == null || id.isEmpty()) {
            throw RtmLimits.invalid("invitationId must not be empty");
        }
        return RtmLimits.text("invitationId", id, RtmLimits.MAX_INVITATION_ID_BYTES);
    }
}
