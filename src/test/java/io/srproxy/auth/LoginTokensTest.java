package io.srproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.auth.LoginTokens.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class LoginTokensTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    private final LoginTokens tokens = new LoginTokens("demo", "s3cret", Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aFreshTokenIsAcceptedForItsUid() {
        String token = tokens.mint("1234", 3600);
        assertThat(token).startsWith("1.MTIzNA.1800003600.");
        assertThat(tokens.verify(token, "1234").accepted()).isTrue();
    }

    @Test
    void theSpecInTheDocsIsWhatTheCodeChecks() throws Exception {
        // Minted independently, exactly as docs/protocol.md tells an app server to.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal("1\ndemo\nalice\n1800000060".getBytes(StandardCharsets.UTF_8));
        String token = "1.YWxpY2U.1800000060." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        assertThat(tokens.verify(token, "alice").accepted()).isTrue();
        assertThat(HexFormat.of().formatHex(sig)).hasSize(64);
    }

    @Test
    void eachKindOfBadTokenIsRefusedWithItsReason() {
        String token = tokens.mint("1234", 3600);
        assertThat(tokens.verify(null, "1234").refusal()).isEqualTo(Refusal.MISSING);
        assertThat(tokens.verify("abc", "1234").refusal()).isEqualTo(Refusal.MALFORMED);
        assertThat(tokens.verify("1.!!!.5.x", "1234").refusal()).isEqualTo(Refusal.MALFORMED);
        assertThat(tokens.verify(token, "9999").refusal()).isEqualTo(Refusal.OTHER_UID);
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        assertThat(tokens.verify(forged, "1234").refusal()).isEqualTo(Refusal.BAD_SIGNATURE);
        String longer = token.replace(".1800003600.", ".1800099999.");
        assertThat(tokens.verify(longer, "1234").refusal()).isEqualTo(Refusal.BAD_SIGNATURE);
        LoginTokens otherApp = new LoginTokens("other", "s3cret", Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(otherApp.verify(token, "1234").refusal()).isEqualTo(Refusal.BAD_SIGNATURE);
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = tokens.mint("1234", 60);
        LoginTokens later = new LoginTokens("demo", "s3cret", Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC));
        assertThat(later.verify(token, "1234").refusal()).isEqualTo(Refusal.EXPIRED);
        assertThat(Refusal.EXPIRED.message()).isEqualTo("token has expired");
    }
}
