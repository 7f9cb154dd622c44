package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls to the phone network: {@code "Pstn":true} goes out as {@code 9<number>} through Kamailio to a
 * sipp UAS standing in for the PSTN gateway. Also early media, cancelling, and ten calls at once.
 */
class GatewayPstnTest {

    private static final String APP_ID = "pstn-test";
    private static int pstnPort;
    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        pstnPort = FreePorts.tcpAndUdp();
        kamailio = KamailioServer.start("1000", pstnPort, KamailioServer.ZeroMode.KEEP, 300);
        srproxy = GatewayUnderTest.start(APP_ID, kamailio.port(), "20[01-12]", "[rtm2sip]\nring_timeout=4\n");
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
    }

    private static AppUser app(String uid) throws Exception {
        return new AppUser(srproxy.webPort(), APP_ID, uid);
    }

    private static void awaitNoActiveCalls() {
        GatewayUnderTest.awaitNoActiveCalls(srproxy);
    }

    @Test
    void pstnCallBridgesEarlyMediaThenIsAcceptedOnAnswer() throws Exception {
        try (Sipp pstn = Sipp.uas("uas_early_media_then_answer.xml", pstnPort); AppUser app = app("6001")) {
            app.invite("2001", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"13800000000\",\"ChanId\":\"111222333\"}");
            // 183 with SDP: the SIP leg is in the channel while the invitation is still open
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.rtc().channels().channel("111222333")
                    .map(c -> c.uids().contains("2001")).orElse(false));
            assertThat(app.events).noneMatch(e -> e.startsWith("accepted "));
            String accepted = app.awaitStartingWith("accepted ");
            assertThat(accepted).contains("\"SipNumber\":\"2001\"", "\"ChanId\":\"111222333\"");
            assertThat(srproxy.calls().active()).singleElement().satisfies(c -> {
                assertThat(c.sipNumber()).isEqualTo("913800000000");
                assertThat(c.direction()).isEqualTo(CallRecord.Direction.APP_TO_PSTN);
            });
            app.client.sendMessageToPeer("2001", "{\"Cmd\":\"EndCall\"}").get();
            pstn.assertPassed(); // sipp got our BYE
            awaitNoActiveCalls();
        }
    }

    @Test
    void theAppCancelsBeforeTheAnswerAndTheSipSideGetsCancel() throws Exception {
        try (Sipp pstn = Sipp.uas("uas_ring_then_cancelled.xml", pstnPort); AppUser app = app("6002")) {
            LocalInvitation inv = app.invite("2002", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550002\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !srproxy.calls().active().isEmpty());
            app.awaitStartingWith("received by peer");
            // the phone rings first: this test is about a CANCEL, not about an INVITE overtaken by one
            await().atMost(Duration.ofSeconds(10)).until(() -> pstn.messages().contains("SIP/2.0 180"));
            inv.cancel();
            app.awaitStartingWith("canceled");
            pstn.assertPassed(); // sipp got CANCEL, answered 487 and got the ACK
            awaitNoActiveCalls();
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("app cancelled"));
        }
    }

    @Test
    void aSipCallNobodyAnswersIsCancelledAfterTheRingTimeoutAndTheAppToldWhy() throws Exception {
        try (Sipp pstn = Sipp.uas("uas_ring_then_cancelled.xml", pstnPort); AppUser app = app("6003")) {
            app.invite("2003", "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"5550003\"}");
            assertThat(app.awaitStartingWith("refused ")).contains("\"Cmd\":\"SipError\"", "\"Code\":408");
            pstn.assertPassed(); // it got our CANCEL
            awaitNoActiveCalls();
        }
    }

    @Test
    void tenCallsAtOnceAllConnectAndLeaveNothingBehind() throws Exception {
        var sip = srproxy.sip().orElseThrow();
        try (Sipp pstn = Sipp.uas("uas_answer.xml", pstnPort, 10)) {
            List<AppUser> apps = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    apps.add(app("61" + i));
                }
                for (int i = 0; i < 10; i++) {
                    apps.get(i).invite(String.format("20%02d", i + 3),
                            "{\"Mode\":1,\"Pstn\":true,\"SipData\":\"55510" + i + "\"}");
                }
                for (AppUser a : apps) {
                    a.awaitStartingWith("accepted ");
                }
                assertThat(srproxy.calls().active()).hasSize(10);
                for (int i = 0; i < 10; i++) {
                    apps.get(i).client.sendMessageToPeer(String.format("20%02d", i + 3), "{\"Cmd\":\"EndCall\"}");
                }
                pstn.assertPassed();
            } finally {
                apps.forEach(AppUser::close);
            }
        }
        awaitNoActiveCalls();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(sip.activeCalls()).as("SIP calls").isZero();
            assertThat(sip.openDialogs()).as("SIP dialogs").isZero();
            assertThat(sip.rtpPortsInUse()).as("RTP port pairs").isZero();
            assertThat(srproxy.rtc().channels().size()).as("RTC channels").isZero();
        });
    }
}
