package io.srproxy.rtm;

/**
 * Decides whether a login may proceed. The one place where login tokens will be checked
 * (issue 7: HMAC tokens from [global] app_cert); today the appid must match and tokens are ignored.
 */
@FunctionalInterface
public interface LoginPolicy {

    /** Throws {@link RtmException} (INVALID_APP_ID, TOKEN_REJECTED, ...) to refuse the login. */
    void check(String appId, String uid, String token);

    /** The appid must equal the configured one; the token is not checked. */
    static LoginPolicy appIdOnly(String expectedAppId) {
        return (appId, uid, token) -> {
            if (!expectedAppId.equals(appId)) {
                throw new RtmException(RtmError.INVALID_APP_ID, "appId '" + appId + "' is not served here");
            }
        };
    }
}
