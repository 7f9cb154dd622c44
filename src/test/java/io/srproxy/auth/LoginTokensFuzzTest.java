package io.srproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Any (uid, token) pair a client sends, as "uid LF token": verify answers with a verdict, never an
 * exception, and accepts only an unexpired token for that very uid; a token minted
 * for the uid is accepted for it and refused as OTHER_UID for any other uid.
 */
class LoginTokensFuzzTest {

    private static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    private static final LoginTokens TOKENS = new LoginTokens("demo", "s3cret", NOW);

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int lf = text.indexOf('\n');
        String uid = lf < 0 ? text : text.substring(0, lf);
        String token = lf < 0 ? "" : text.substring(lf + 1);

        LoginTokens.Verdict verdict = TOKENS.verify(token, uid);
        assertThat(verdict).isNotNull();
        if (verdict.accepted()) {
            // only a genuine token gets here (seeded, or mutated without touching uid or signature)
            String[] parts = token.split("\\.", -1);
            assertThat(new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
                    .isEqualTo(uid);
            assertThat(Long.parseLong(parts[2])).isGreaterThan(NOW.instant().getEpochSecond());
        } else {
            assertThat(verdict.refusal().message()).isNotBlank();
        }

        String minted = TOKENS.mint(uid, 600);
        assertThat(TOKENS.verify(minted, uid).accepted()).as("own token for %s", uid).isTrue();
        assertThat(TOKENS.verify(minted, uid + "x").refusal()).isEqualTo(LoginTokens.Refusal.OTHER_UID);
    }
}
