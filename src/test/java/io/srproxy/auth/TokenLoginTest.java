package io.srproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmError;
import io.srproxy.rtm.RtmException;
import io.srproxy.rtm.RtmListener;
import io.srproxy.rtm.ws.WsRtmClient;
import io.srproxy.testsupport.FreePorts;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With [global] app_cert set, apps log in over /rtm only with a valid token for their uid. */
class TokenLoginTest {

    private static Srproxy srproxy;
    private static final LoginTokens MINT = new LoginTokens("tok", "s3cret", Clock.systemUTC());

    @BeforeAll
    static void start() {
        String conf = "[global]\nappid=tok\napp_cert=s3cret\nsip_local_port=" + FreePorts.tcpAndUdp()
                + "\n[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n";
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "tok.conf")).config());
    }

    @AfterAll
    static void stop() {
        srproxy.close();
    }

    private static RtmException loginFails(String uid, String token) {
        try (RtmClient c = WsRtmClient.create(URI.create("ws://127.0.0.1:" + srproxy.webPort() + "/rtm"), "tok", new RtmListener() { })) {
            Throwable t = catchThrowable(() -> c.login(uid, token).get(10, TimeUnit.SECONDS));
            assertThat(t).as("login of %s", uid).isInstanceOf(ExecutionException.class);
            return (RtmException) t.getCause();
        }
    }

    @Test
    void aValidTokenLogsIn() throws Exception {
        try (RtmClient c = WsRtmClient.create(URI.create("ws://127.0.0.1:" + srproxy.webPort() + "/rtm"), "tok", new RtmListener() { })) {
            c.login("1234", MINT.mint("1234", 600)).get(10, TimeUnit.SECONDS);
            assertThat(c.uid()).isEqualTo("1234");
        }
    }

    @Test
    void missingExpiredForgedAndOtherUidTokensAreRefusedWithTheirReason() {
        RtmException missing = loginFails("1234", null);
        assertThat(missing.error()).isEqualTo(RtmError.TOKEN_REJECTED);
        assertThat(missing.getMessage()).contains("a token is required");

        LoginTokens past = new LoginTokens("tok", "s3cret", Clock.fixed(Instant.now().minusSeconds(7200), ZoneOffset.UTC));
        assertThat(loginFails("1234", past.mint("1234", 60)).getMessage()).contains("token has expired");
        assertThat(loginFails("1234", MINT.mint("9999", 600)).getMessage()).contains("token was issued for another uid");
        LoginTokens forger = new LoginTokens("tok", "guess", Clock.systemUTC());
        assertThat(loginFails("1234", forger.mint("1234", 600)).getMessage()).contains("token signature does not match");
        assertThat(loginFails("1234", "garbage").getMessage()).contains("token is malformed");
    }

    @Test
    void inProcessClientsNeedNoToken() throws Exception {
        try (RtmClient gateway = srproxy.rtm().createClient(new RtmListener() { })) {
            gateway.login("1086", null).get(10, TimeUnit.SECONDS);
            assertThat(gateway.uid()).isEqualTo("1086");
        }
    }
}
