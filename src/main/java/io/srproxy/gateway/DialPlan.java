package io.srproxy.gateway;

import io.srproxy.config.RtxConfig;
import java.util.Optional;

/**
 * Where the gateway's SIP calls go and how an incoming SIP number maps to an app uid, following
 * the original's rules ({@code [rtm2sip]}, {@code [pstn]}, {@code [proxy] prefix}).
 */
public final class DialPlan {

    /** A SIP call to place: Request-URI user and host, and the display name of the caller. */
    public record Target(String user, String host, int port, String displayName) {
        public String uri() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return "sip:" + user + "@" + h + (port == 5060 ? "" : ":" + port);
        }
    }

    private final RtxConfig config;

    public DialPlan(RtxConfig config) {
        this.config = config;
    }

    /** Whether {@code account} is one the apps may call (listed in acc_rule). */
    public boolean isCallable(String account) {
        return config.rtm2sip().on() && config.rtm2sip().accounts().contains(account);
    }

    /**
     * app -> SIP: {@code sip:A@sip_svr}, display name = SipData if given, else the caller's uid;
     * with Pstn: {@code sip:<pstn.prefix><SipData or uid>@<pstn.ip, or sip_svr>}.
     */
    public Target target(String account, String callerUid, InvitationContent content) {
        RtxConfig.HostPort sipServer = config.global().sipServer()
                .orElseThrow(() -> new IllegalStateException("[global] sip_svr is not set"));
        String display = content.sipData().isEmpty() ? callerUid : content.sipData();
        if (content.pstn()) {
            String number = config.pstn().prefix() + (content.sipData().isEmpty() ? callerUid : content.sipData());
            Optional<String> pstnHost = config.pstn().ip();
            return new Target(number, pstnHost.orElse(sipServer.host()),
                    pstnHost.isPresent() ? 5060 : sipServer.port(), display);
        }
        return new Target(account, sipServer.host(), sipServer.port(), display);
    }

    /** SIP -> app: the uid for a called number, the dial prefix stripped; empty when it lacks the prefix or a uid. */
    public Optional<String> uidForCalledNumber(String calledNumber) {
        String prefix = config.proxy().prefix();
        if (calledNumber == null || !calledNumber.startsWith(prefix) || calledNumber.length() == prefix.length()) {
            return Optional.empty();
        }
        return Optional.of(calledNumber.substring(prefix.length()));
    }
}
