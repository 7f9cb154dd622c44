package io.srproxy.gateway;

import io.srproxy.sip.CallListener;
import io.srproxy.sip.OutgoingCall;
import java.io.IOException;
import java.util.Map;

/**
 * Sends an app's call to the SIP side the way its {@code acc_rule} account does, whichever node
 * runs the leg: from {@code [proxy] sip_account} (or the app's uid without one), to the dial
 * plan's target.
 */
final class AccountDialer {

    private AccountDialer() {
    }

    static OutgoingCall dial(GatewayContext ctx, DialPlan.Target target, String appUid, boolean conference,
                             CallListener events) throws IOException {
        String fromUser = ctx.config().proxy().sipAccount().isEmpty() ? appUid : ctx.config().proxy().sipAccount();
        OutgoingCall.Target to = new OutgoingCall.Target(fromUser, target.displayName(), target.user(),
                target.host(), target.port(), Map.of());
        // a phone invited into a group call is mixed: it gets offered G.711 only (see ConferenceCall)
        return conference ? ctx.sip().placeCall(to, events, ConferenceCall.codecs(ctx.sip()))
                : ctx.sip().placeCall(to, events);
    }
}
