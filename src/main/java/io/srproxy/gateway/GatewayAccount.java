package io.srproxy.gateway;

import io.srproxy.log.LogSafe;
import io.srproxy.rtm.ConnectionChangeReason;
import io.srproxy.rtm.ConnectionState;
import io.srproxy.rtm.PeerOnlineState;
import io.srproxy.rtm.RemoteInvitation;
import io.srproxy.rtm.RemoteInvitationFailureReason;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmListener;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One acc_rule account as an online RTM user: apps invite it to call SIP extension {@code uid}.
 * It holds at most one call; a second invitation is refused as busy. Events arrive one at a time
 * from the RTM client and are handed to the call's own executor.
 */
final class GatewayAccount implements RtmListener {

    private static final Logger log = LoggerFactory.getLogger(GatewayAccount.class);

    private final GatewayContext ctx;
    private final String uid;
    private final RtmClient client;
    private final RemoteLegs legs;
    private volatile AppToSipCall current;
    private volatile boolean loggingIn;
    /** This node holds the account's lease (always on one node): only then is it logged in here. */
    private volatile boolean held;

    GatewayAccount(GatewayContext ctx, String uid, RemoteLegs legs) {
        this.ctx = ctx;
        this.uid = uid;
        this.legs = legs;
        this.client = ctx.rtm().createClient(this);
    }

    String uid() {
        return uid;
    }

    /** SIP legs run at the node of their channel when that is another one. */
    RemoteLegs legs() {
        return legs;
    }

    RtmClient client() {
        return client;
    }

    boolean online() {
        return client.connectionState() == ConnectionState.CONNECTED;
    }

    boolean held() {
        return held;
    }

    /**
     * The lease says whether this node holds the account. Held: logged in (again) unless in or on the
     * way; failures are retried by the gateway's watchdog. Held elsewhere: logged out here, so the
     * holder's login does not fight ours (a call in progress here ends when the holder logs in).
     */
    void leased(boolean heldHere) {
        boolean was = held;
        held = heldHere;
        if (!heldHere) {
            if (was) {
                log.warn("gateway account {}: another node holds it now; logging out here", uid);
            }
            AppToSipCall call = current;
            if (online() && (call == null || call.isEnded())) {
                client.logout().exceptionally(e -> null);
            }
            return;
        }
        if (!was) {
            log.info("gateway account {}: held by this node", uid);
        }
        ensureLoggedIn();
    }

    /** Logs in unless already in or on the way, or held by another node. */
    private void ensureLoggedIn() {
        if (!held || online() || loggingIn) {
            return;
        }
        loggingIn = true;
        client.login(uid, null).whenComplete((ok, e) -> {
            loggingIn = false;
            if (e != null) {
                log.warn("gateway account {}: login failed: {}", uid, LogSafe.of(e.getMessage()));
            }
        });
    }

    void callEnded(AppToSipCall call) {
        if (current == call) {
            current = null;
        }
    }

    @Override
    public void onRemoteInvitationReceived(RemoteInvitation invitation) {
        AppToSipCall busy = current;
        if (busy != null && !busy.isEnded()) {
            invitation.setResponse(GatewayMessages.busy()).refuse();
            return;
        }
        if (ctx.atCallLimit()) {
            log.warn("gateway account {}: refusing {}: call limit reached ([limits] max_calls)", uid, invitation.callerId());
            invitation.setResponse(GatewayMessages.sipError(503, "srproxy is at its call limit")).refuse();
            return;
        }
        InvitationContent content;
        try {
            content = InvitationContent.parse(invitation.content());
        } catch (InvitationContent.Invalid e) {
            log.info("gateway account {}: refusing invitation from {}: {}", uid, LogSafe.of(invitation.callerId()), LogSafe.of(e.getMessage()));
            invitation.setResponse(GatewayMessages.error(e.getMessage())).refuse();
            return;
        }
        String channelId = !content.chanId().isEmpty() ? content.chanId()
                : !invitation.channelId().isEmpty() ? invitation.channelId() : CallIdentities.channelId();
        AppToSipCall call = new AppToSipCall(ctx, this, invitation, content, channelId);
        current = call;
        call.start();
    }

    @Override
    public void onRemoteInvitationCanceled(RemoteInvitation invitation) {
        AppToSipCall call = current;
        if (call != null) {
            call.appCancelled();
        }
    }

    @Override
    public void onRemoteInvitationFailure(RemoteInvitation invitation, RemoteInvitationFailureReason reason) {
        AppToSipCall call = current;
        if (call != null) {
            call.appInvitationFailed(reason.name());
        }
    }

    @Override
    public void onMessageFromPeer(String text, String peerId) {
        AppToSipCall call = current;
        String cmd = GatewayMessages.commandOf(text).orElse("");
        if (cmd.equals("CallState")) {
            boolean ours = call != null && call.appUid.equals(peerId);
            client.sendMessageToPeer(peerId, GatewayMessages.callStateResult(
                    ours ? call.callState() : GatewayMessages.STATE_IDLE, ours ? call.mode() : 1)).exceptionally(e -> null);
            return;
        }
        if (call != null && call.appUid.equals(peerId) && cmd.equals("EndCall")) {
            call.appHungUp();
        }
    }

    @Override
    public void onPeersOnlineStatusChanged(Map<String, PeerOnlineState> peers) {
        AppToSipCall call = current;
        if (call != null && peers.get(call.appUid) == PeerOnlineState.OFFLINE) {
            call.appWentOffline();
        }
    }

    @Override
    public void onConnectionStateChanged(ConnectionState state, ConnectionChangeReason reason) {
        if (state == ConnectionState.ABORTED || state == ConnectionState.DISCONNECTED) {
            log.warn("gateway account {}: RTM session {} ({}){}", uid, state, LogSafe.of(reason),
                    held ? "; logging in again" : "");
            AppToSipCall call = current;
            if (call != null) {
                call.gatewayAccountLost();
            }
        }
    }

    void close() {
        held = false; // stopping: not logged in again
        AppToSipCall call = current;
        if (call != null) {
            call.gatewayAccountLost();
        }
        client.close();
    }
}
