package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.sip.harness.Sipp;
import io.srproxy.testsupport.FreePorts;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both SRProxy call flows, signalling only (no browser): app users on the /rtm WebSocket, srproxy
 * registered at a real Kamailio, baresip as extension 1005. Audio is proven in the browser tests.
 */
class GatewaySignallingTest {

    private static final String APP_ID = "gw-test";
    private static KamailioServer kamailio;
    private static BaresipPhone phone;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        phone = BaresipPhone.start("1005", kamailio.port(), 1000);
        srproxy = GatewayUnderTest.start(APP_ID, kamailio.port(), "1005;1006", "");
    }

    @AfterAll
    static void stop() {
        if (srproxy != null) {
            srproxy.close();
        }
        if (phone != null) {
            phone.close();
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
    void accRuleAccountsAreOnlineAndTheProxyAccountRefusesCalls() throws Exception {
        try (AppUser app = app("5001")) {
            assertThat(app.client.queryPeersOnlineStatus(java.util.List.of("1005", "1006", "1086", "1007"))
                    .get()).containsEntry("1005", true).containsEntry("1006", true).containsEntry("1086", true)
                    .containsEntry("1007", false);
            app.invite("1086", "{\"Mode\":1}");
            assertThat(app.awaitStartingWith("refused ")).contains("\"Cmd\":\"Error\"");
        }
    }

    @Test
    void appCallsAnExtensionWhichAnswersThenTheAppHangsUp() throws Exception {
        try (AppUser app = app("5002")) {
            app.invite("1005", "{\"Mode\":1,\"Conference\":false,\"ChanId\":\"123456789\"}");
            String accepted = app.awaitStartingWith("accepted ");
            assertThat(accepted).contains("\"ChanId\":\"123456789\"", "\"SipNumber\":\"1005\"", "\"Mode\":1");
            assertThat(srproxy.calls().active()).singleElement().satisfies(c -> {
                assertThat(c.uid()).isEqualTo("5002");
                assertThat(c.sipNumber()).isEqualTo("1005");
                assertThat(c.answeredAt()).isPresent();
            });
            app.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
            awaitNoActiveCalls();
            assertThat(srproxy.calls().recent().get(0).endReason()).contains("app hung up");
        }
    }

    private static String metrics() throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + srproxy.webPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(-1);
    }

    @Test
    void metricsMoveWithACall() throws Exception {
        awaitNoActiveCalls();
        String before = metrics();
        assertThat(metric(before, "srproxy_sip_registrations{state=\"registered\"}")).isEqualTo(1);
        assertThat(metric(before, "srproxy_rtm_users_online")).isGreaterThanOrEqualTo(3); // 1005, 1006, 1086
        try (AppUser app = app("5030")) {
            app.invite("1005", "{\"Mode\":1}");
            app.awaitStartingWith("accepted ");
            String during = metrics();
            assertThat(metric(during, "srproxy_calls_active{direction=\"app_to_sip\"}")).isEqualTo(1);
            app.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
            awaitNoActiveCalls();
        }
        String after = metrics();
        assertThat(metric(after, "srproxy_calls_total{direction=\"app_to_sip\"}"))
                .isEqualTo(metric(before, "srproxy_calls_total{direction=\"app_to_sip\"}") + 1);
        assertThat(metric(after, "srproxy_calls_answered_total")).isEqualTo(metric(before, "srproxy_calls_answered_total") + 1);
        assertThat(metric(after, "srproxy_call_setup_seconds_count")).isEqualTo(metric(before, "srproxy_call_setup_seconds_count") + 1);
        assertThat(metric(after, "srproxy_calls_active{direction=\"app_to_sip\"}")).isZero();
    }

    @Test
    void whenThePhoneHangsUpTheAppGetsEndCall() throws Exception {
        try (AppUser app = app("5003")) {
            app.invite("1005", "{\"Mode\":1}");
            app.awaitStartingWith("accepted ");
            phone.hangUp();
            assertThat(app.awaitStartingWith("message 1005 ")).contains("{\"Cmd\":\"EndCall\"}");
            awaitNoActiveCalls();
        }
    }

    @Test
    void contentThatIsNotJsonIsRefusedWithAJsonReason() throws Exception {
        try (AppUser app = app("5004")) {
            app.invite("1005", "call me");
            assertThat(app.awaitStartingWith("refused ")).contains("{\"Cmd\":\"Error\",\"Reason\":\"invitation content is not JSON");
        }
    }

    @Test
    void aSecondCallerGetsBusyWhileTheAccountIsInACall() throws Exception {
        try (AppUser first = app("5005"); AppUser second = app("5006")) {
            first.invite("1005", "{\"Mode\":1}");
            first.awaitStartingWith("accepted ");
            second.invite("1005", "{\"Mode\":1}");
            assertThat(second.awaitStartingWith("refused ")).isEqualTo("refused {\"Cmd\":\"Calling\"}");
            first.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
            awaitNoActiveCalls();
        }
    }

    @Test
    void anUnregisteredExtensionIsRefusedWithTheSipStatus() throws Exception {
        try (AppUser app = app("5007")) {
            app.invite("1006", "{\"Mode\":1}");
            assertThat(app.awaitStartingWith("refused ")).contains("\"Cmd\":\"SipError\"", "\"Code\":404");
            awaitNoActiveCalls();
        }
    }

    @Test
    void phoneDialsZeroUidTheAppAcceptsAndHangsUp() throws Exception {
        try (AppUser app = app("4321")) {
            app.onInvitation = "accept";
            phone.dial("04321");
            // the caller's number, readable (~2 when an earlier test's call from 1005 still holds sip~1005)
            String invited = app.awaitEvent(e -> e.matches("(?s)invited by sip~1005(~\\d+)? .*"));
            assertThat(invited).contains("\"Mode\":1", "\"Conference\":false", "\"DisplayName\":\"1005\"", "\"SipData\":\"\"")
                    .containsPattern("\"ChanId\":\"\\d{9}\"");
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.calls().active().stream().anyMatch(c -> c.answeredAt().isPresent()));
            String caller = app.invitations.get(0).callerId();
            app.client.sendMessageToPeer(caller, "{\"Cmd\":\"EndCall\"}").get();
            awaitNoActiveCalls();
            assertThat(srproxy.calls().recent().get(0).direction()).isEqualTo(CallRecord.Direction.SIP_TO_APP);
        }
    }

    @Test
    void phoneDialsAnAppThatRefusesAsBusyAndGets486() throws Exception {
        try (AppUser app = app("4322")) {
            app.onInvitation = "refuse:{\"Cmd\":\"Calling\"}";
            phone.dial("04322");
            app.awaitStartingWith("invited by sip~");
            awaitNoActiveCalls();
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("app refused"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(phone.output()).contains("04322@127.0.0.1:" + kamailio.port() + ";transport=udp: session closed: 486"));
        }
    }

    @Test
    void phoneDialsAnAppThatDeclinesAndGets603() throws Exception {
        try (AppUser app = app("4323")) {
            app.onInvitation = "refuse:{\"Cmd\":\"Refuse\"}";
            phone.dial("04323");
            app.awaitStartingWith("invited by sip~");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(phone.output())
                    .contains("04323@127.0.0.1:" + kamailio.port() + ";transport=udp: session closed: 603"));
            awaitNoActiveCalls();
        }
    }

    @Test
    void twentyCallsInARowLeaveNothingBehind() throws Exception {
        awaitNoActiveCalls();
        var sip = srproxy.sip().orElseThrow();
        try (AppUser app = app("5010")) {
            callsInARow(app, 4); // warm up: pools start their threads lazily, up to their bounds
            int onlineBefore = srproxy.rtm().onlineCount();
            java.util.Set<String> threadsBefore = threadNames();
            callsInARow(app, 20);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(sip.activeCalls()).as("SIP calls").isZero();
                assertThat(sip.openDialogs()).as("SIP dialogs").isZero();
                assertThat(sip.rtpPortsInUse()).as("RTP port pairs").isZero();
                assertThat(srproxy.rtc().channels().size()).as("RTC channels").isZero();
                assertThat(srproxy.rtm().onlineCount()).as("RTM users (earlier tests' identities may still be leaving)").isLessThanOrEqualTo(onlineBefore);
                java.util.Set<String> added = threadNames();
                added.removeAll(threadsBefore);
                assertThat(added).as("threads started by the calls and still alive").hasSizeLessThanOrEqualTo(2);
            });
        }
    }

    private static void callsInARow(AppUser app, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String callee = i % 2 == 0 ? "1005" : "1006";
            app.events.clear();
            app.invite(callee, "{\"Mode\":1}");
            String outcome = app.awaitEvent(e -> e.startsWith("accepted ") || e.startsWith("refused "));
            if (outcome.startsWith("accepted ")) {
                app.client.sendMessageToPeer(callee, "{\"Cmd\":\"EndCall\"}").get();
            }
            awaitNoActiveCalls();
        }
    }

    /** Live threads by name and id, so that a pool's replacement of an idle thread is not a leak. */
    private static java.util.Set<String> threadNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName() + "#" + t.getId()));
        return names;
    }

    @Test
    void thePhoneHangsUpBeforeTheAppAnswersAndTheInvitationIsCancelled() throws Exception {
        try (AppUser app = app("4324")) {
            phone.dial("04324");
            app.awaitStartingWith("invited by sip~");
            phone.hangUp();
            app.awaitStartingWith("remote canceled");
            awaitNoActiveCalls();
        }
    }

    @Test
    void theAppGoingOfflineMidCallHangsUpTheSipSide() throws Exception {
        int byesBefore = byesSeenByPhone();
        AppUser app = app("5020");
        app.invite("1005", "{\"Mode\":1}");
        app.awaitStartingWith("accepted ");
        app.close(); // the app's session ends: its presence goes offline
        awaitNoActiveCalls();
        assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("app went offline"));
        await().atMost(Duration.ofSeconds(5)).until(() -> byesSeenByPhone() == byesBefore + 1);
    }

    /** How often baresip said the other side hung up (it got a BYE). */
    private static int byesSeenByPhone() {
        return phone.output().split("session closed: Connection reset by peer", -1).length - 1;
    }

    @Test
    void whenTheGatewaysRtmSessionIsCutTheCallEndsAndTheAccountComesBack() throws Exception {
        int byesBefore = byesSeenByPhone();
        try (AppUser app = app("5040")) {
            app.invite("1005", "{\"Mode\":1}");
            app.awaitStartingWith("accepted ");
            assertThat(srproxy.rtm().kick("1005", "test: cut the gateway's session").get()).isTrue();
            awaitNoActiveCalls();
            assertThat(srproxy.calls().recent().get(0).endReason())
                    .hasValueSatisfying(r -> assertThat(r).contains("gateway RTM session of 1005 lost"));
            await().atMost(Duration.ofSeconds(5)).until(() -> byesSeenByPhone() == byesBefore + 1);
            // logged in again within the watchdog's second, and callable again
            await().atMost(Duration.ofSeconds(5)).until(() -> app.client.queryPeersOnlineStatus(java.util.List.of("1005"))
                    .get().get("1005"));
            app.events.clear();
            app.invite("1005", "{\"Mode\":1}");
            app.awaitStartingWith("accepted ");
            app.client.sendMessageToPeer("1005", "{\"Cmd\":\"EndCall\"}").get();
            awaitNoActiveCalls();
        }
    }

    @Test
    void thePhoneHangsUpAfterTheAppAcceptedButBeforeItsAckAndTheAppGetsEndCall() throws Exception {
        try (AppUser app = app("4331")) {
            app.onInvitation = "accept";
            try (Sipp caller = Sipp.uac("uac_bye_before_ack.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "04331")) {
                caller.assertPassed(); // 200, then its BYE was answered
            }
            awaitNoActiveCalls();
            // the app accepted and joined the channel: without EndCall it would sit there forever
            assertThat(app.awaitStartingWith("message sip~")).endsWith("{\"Cmd\":\"EndCall\"}");
        }
    }

    @Test
    void theSipSideHoldsAndResumesACallWithAnApp() throws Exception {
        try (AppUser app = app("4330")) {
            app.onInvitation = "accept";
            try (Sipp caller = Sipp.uac("uac_hold_resume.xml", "127.0.0.1", "127.0.0.1:" + kamailio.port(), "04330",
                    "resume_port", Integer.toString(FreePorts.tcpAndUdp()))) {
                caller.assertPassed(); // srproxy answered sendonly with recvonly, inactive with inactive, then sendrecv
            }
            awaitNoActiveCalls();
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("REMOTE_BYE"));
            assertThat(app.awaitStartingWith("message sip~")).endsWith("{\"Cmd\":\"EndCall\"}");
        }
    }

    @Test
    void phoneDialsAnOfflineUidAndGets480AtOnce() {
        phone.dial("04399");
        await().atMost(Duration.ofSeconds(10)).until(() -> phone.output().contains("04399@127.0.0.1:" + kamailio.port() + ";transport=udp: session closed: 480"));
        awaitNoActiveCalls();
        assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("offline"));
    }
}
