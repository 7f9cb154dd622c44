package io.srproxy.auth;

import java.util.Set;

/**
 * Decides whether a login (to /rtm) or a join (to /rtc) may proceed: shared by both services, so
 * it lives here and refuses with {@link LoginRefused}, which each service words in its own codes: the appid must match, remote clients may not take the
 * gateway's own uids, and with {@code [global] app_cert} set they need a valid token.
 */
@FunctionalInterface
public interface LoginPolicy {

    /** One login; {@code remote} is true for network clients, false for in-process ones (the gateway). */
    record Attempt(String appId, String uid, String token, boolean remote) {}

    /** Throws {@link LoginRefused} (INVALID_APP_ID, NOT_ALLOWED, TOKEN_REJECTED) to refuse the login. */
    void check(Attempt attempt);

    /** The appid must equal the configured one; the token is not checked. */
    static LoginPolicy appIdOnly(String expectedAppId) {
        return forApp(expectedAppId, Set.of());
    }

    /**
     * The appid must match, and remote clients may not log in as one of {@code reservedUids} (the
     * gateway's [proxy] rtm_account and [rtm2sip] acc_rule accounts): such a login would replace
     * the gateway's session.
     */
    /** As {@link #forApp(String, Set)}, and remote clients must bring a token {@code tokens} accepts. */
    static LoginPolicy withTokens(String expectedAppId, Set<String> reservedUids, LoginTokens tokens) {
        LoginPolicy base = forApp(expectedAppId, reservedUids);
        return attempt -> {
            base.check(attempt);
            if (attempt.remote()) {
                LoginTokens.Verdict verdict = tokens.verify(attempt.token(), attempt.uid());
                if (!verdict.accepted()) {
                    throw new LoginRefused(LoginRefused.Reason.TOKEN_REJECTED, verdict.refusal().message());
                }
            }
        };
    }

    /** Tokens required from remote clients when {@code tokens} is present ({@code [global] app_cert} set). */
    static LoginPolicy of(String expectedAppId, Set<String> reservedUids, java.util.Optional<LoginTokens> tokens) {
        return tokens.map(t -> withTokens(expectedAppId, reservedUids, t))
                .orElseGet(() -> forApp(expectedAppId, reservedUids));
    }

    /** uids starting with this are the gateway's per-call identities (SIP -> app calls). */
    String GATEWAY_CALL_PREFIX = "sip~";

    static LoginPolicy forApp(String expectedAppId, Set<String> reservedUids) {
        Set<String> reserved = Set.copyOf(reservedUids);
        return attempt -> {
            if (!expectedAppId.equals(attempt.appId())) {
                throw new LoginRefused(LoginRefused.Reason.INVALID_APP_ID, "appId '" + attempt.appId() + "' is not served here");
            }
            if (attempt.remote() && reserved.contains(attempt.uid())) {
                throw new LoginRefused(LoginRefused.Reason.NOT_ALLOWED, "uid '" + attempt.uid()
                        + "' is reserved for srproxy's gateway ([proxy] rtm_account or an [rtm2sip] acc_rule account)");
            }
            if (attempt.remote() && attempt.uid().startsWith(GATEWAY_CALL_PREFIX)) {
                throw new LoginRefused(LoginRefused.Reason.NOT_ALLOWED, "uids starting with '" + GATEWAY_CALL_PREFIX
                        + "' are srproxy's per-call identities");
            }
        };
    }
}
