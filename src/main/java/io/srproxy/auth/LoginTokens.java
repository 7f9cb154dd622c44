package io.srproxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Login tokens for RTM and RTC when {@code [global] app_cert} is set (specified in docs/protocol.md
 * so that an app server in any language can mint them):
 *
 * <pre>
 *   token     = "1." + b64url(uid) + "." + expiry + "." + b64url(HMAC-SHA256(app_cert, message))
 *   message   = "1\n" + appid + "\n" + uid + "\n" + expiry
 *   expiry    = Unix time in seconds, decimal; b64url = base64url without padding
 * </pre>
 *
 * The uid travels in the token so that a token used for another uid is refused with that reason.
 */
public final class LoginTokens {

    /** Why a token was refused; {@link #message()} is shown to the client. */
    public enum Refusal {
        MISSING("a token is required"),
        MALFORMED("token is malformed"),
        EXPIRED("token has expired"),
        OTHER_UID("token was issued for another uid"),
        BAD_SIGNATURE("token signature does not match (forged, or minted with another app_cert or appid)");

        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        public String message() {
            return message;
        }
    }

    /** The verdict: empty refusal = accepted. */
    public record Verdict(Refusal refusal) {
        public boolean accepted() {
            return refusal == null;
        }
    }

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final String appId;
    private final byte[] appCert;
    private final Clock clock;

    public LoginTokens(String appId, String appCert, Clock clock) {
        this.appId = appId;
        this.appCert = appCert.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    public String mint(String uid, long ttlSeconds) {
        long expiry = clock.instant().getEpochSecond() + ttlSeconds;
        return "1." + B64.encodeToString(uid.getBytes(StandardCharsets.UTF_8)) + "." + expiry + "."
                + B64.encodeToString(sign(uid, expiry));
    }

    public Verdict verify(String token, String uid) {
        if (token == null || token.isEmpty()) {
            return new Verdict(Refusal.MISSING);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("1") || !parts[2].matches("\\d{1,12}")) {
            return new Verdict(Refusal.MALFORMED);
        }
        String tokenUid;
        byte[] signature;
        try {
            tokenUid = new String(B64D.decode(parts[1]), StandardCharsets.UTF_8);
            signature = B64D.decode(parts[3]);
        } catch (IllegalArgumentException e) {
            return new Verdict(Refusal.MALFORMED);
        }
        long expiry = Long.parseLong(parts[2]);
        if (!MessageDigest.isEqual(signature, sign(tokenUid, expiry))) {
            return new Verdict(Refusal.BAD_SIGNATURE);
        }
        if (!tokenUid.equals(uid)) {
            return new Verdict(Refusal.OTHER_UID);
        }
        if (clock.instant().getEpochSecond() >= expiry) {
            return new Verdict(Refusal.EXPIRED);
        }
        return new Verdict(null);
    }

    private byte[] sign(String uid, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appCert, "HmacSHA256"));
            return mac.doFinal(("1\n" + appId + "\n" + uid + "\n" + expiry).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
