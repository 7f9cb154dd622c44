package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.SipTestAgent;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Registration through a real Kamailio with digest auth (extensions 1000..1019, password 1234). */
class KamailioRegistrationTest {

    private static KamailioServer kamailio;

    @BeforeAll
    static void startKamailio() {
        // nonce_expire 3 s: refreshes every 2 s meet a stale nonce now and then
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 3);
    }

    @AfterAll
    static void stopKamailio() {
        if (kamailio != null) {
            kamailio.close();
        }
    }

    @Test
    void registersWithDigestAndStaysRegisteredAcrossRefreshes() {
        SipSettings s = SipTestAgent.settings(kamailio.port(), "1001", "1234", "").withRegisterExpires(Duration.ofSeconds(4));
        try (SipTestAgent a = SipTestAgent.start(s)) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(5)).until(() -> r.state() == RegistrationState.REGISTERED);
            assertThat(r.grantedExpires()).isEqualTo(4);
            // three refreshes at half the granted time, never leaving REGISTERED
            await().atMost(Duration.ofSeconds(12)).until(() -> r.successfulRegisters() >= 4);
            assertThat(r.state()).isEqualTo(RegistrationState.REGISTERED);
            assertThat(a.registrationEvents()).noneMatch(e -> e.contains("RETRYING") || e.contains("AUTH_FAILED"));
            // the cached nonce went stale on the way (nonce_expire 3 s) and was renewed without a hitch
            assertThat(kamailio.log()).contains("REGISTER for 1001 from 127.0.0.1: stale nonce");
            a.close(); // Expires 0, answered by the registrar
            assertThat(r.state()).isEqualTo(RegistrationState.CLOSED);
            assertThat(a.registrationEvents()).last().asString().startsWith("1001 CLOSED 200");
        }
    }

    @Test
    void wrongPasswordIsReportedOnceAndNotHammered() {
        SipSettings s = SipTestAgent.settings(kamailio.port(), "1002", "wrong", "");
        try (SipTestAgent a = SipTestAgent.start(s)) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(5)).until(() -> r.state() == RegistrationState.AUTH_FAILED);
            String before = kamailio.log();
            long attempts = count(before, "REGISTER for 1002");
            assertThat(attempts).isEqualTo(1);
            // the retry waits authRetry (5 min): no second try while we watch
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> r.state() == RegistrationState.AUTH_FAILED);
            assertThat(count(kamailio.log(), "REGISTER for 1002")).isEqualTo(1);
            assertThat(a.registrationEvents()).filteredOn(e -> e.contains("AUTH_FAILED")).hasSize(1);
        }
    }

    @Test
    void unknownExtensionIsRefused() {
        SipSettings s = SipTestAgent.settings(kamailio.port(), "2000", "1234", "");
        try (SipTestAgent a = SipTestAgent.start(s)) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(5)).until(() -> r.state() == RegistrationState.AUTH_FAILED);
        }
    }

    @Test
    void retriesWithBackoffWhileTheServerIsUnreachable() {
        int silentPort = FreePorts.tcpAndUdp(); // nobody listens there
        SipSettings s = SipTestAgent.settings(silentPort, "1003", "1234", "").withT1(Duration.ofMillis(50));
        try (SipTestAgent a = SipTestAgent.start(s)) {
            Registration r = a.register();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.state() == RegistrationState.RETRYING);
        }
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }
}
