package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.sip.Registration;
import io.srproxy.sip.RegistrationState;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.CuttableLink;
import io.srproxy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault drills with real peers (Kamailio as the SIP server, baresip as extension 1005, apps on the
 * /rtm WebSocket): what srproxy survives, and how fast it is back. srproxy's SIP keepalive is 1 s
 * here ({@code [global] sip_keepalive}); the registration it asks for stays 600 s, so coming back
 * early proves the keepalive, not the refresh timer. The SIGKILL drill is {@link SigkillIT}.
 */
class FaultDrillsTest {

    private static final String APP_ID = "drills";
    private static final String FAST_KEEPALIVE = "[global]\nsip_keepalive=1\n";

    private KamailioServer kamailio;
    private BaresipPhone phone;
    private Srproxy srproxy;

    @AfterEach
    void stop() {
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

    @Test
    void theSipServerRestartsForgettingUsAndWeRegisterAgainAtOnce() throws Exception {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        phone = BaresipPhone.start("1005", kamailio.port(), 1000);
        srproxy = GatewayUnderTest.start(APP_ID, kamailio.port(), "1005", FAST_KEEPALIVE);
        Registration registration = srproxy.sip().orElseThrow().registrations().iterator().next();
        int registersBefore = registration.successfulRegisters();
        await("the keepalive heard the server").atMost(Duration.ofSeconds(10))
                .until(() -> srproxy.sip().orElseThrow().serverAnswersKeepalive());

        kamailio.stop();
        // keepalive 1 s + 1 s to answer: the bound is 2 s, the margin is for a loaded machine
        await("degraded after the server went away").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(health()).contains("\"status\":\"degraded\"", "server unreachable"));
        assertThat(registration.state()).isEqualTo(RegistrationState.RETRYING);

        kamailio.startAgain(); // usrloc in memory: it has forgotten srproxy's contact
        await("registered again within 30 s of the server's return").atMost(Duration.ofSeconds(30))
                .until(() -> registration.state() == RegistrationState.REGISTERED);
        assertThat(registration.successfulRegisters()).isGreaterThan(registersBefore);
        assertThat(health()).contains("\"status\":\"ok\"");

        phoneCallsAnAppAndItWorks("4401");
    }

    @Test
    void aQuickRestartBetweenKeepalivesIsCaughtByProbingOurOwnAddress() throws Exception {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        phone = BaresipPhone.start("1005", kamailio.port(), 1000);
        srproxy = GatewayUnderTest.start(APP_ID, kamailio.port(), "1005", "[global]\nsip_keepalive=3\n");
        Registration registration = srproxy.sip().orElseThrow().registrations().iterator().next();
        await("registered, the keepalive heard").atMost(Duration.ofSeconds(15)).until(() ->
                registration.state() == RegistrationState.REGISTERED && srproxy.sip().orElseThrow().serverAnswersKeepalive());
        int registersBefore = registration.successfulRegisters();
        // Kamailio routes the keepalive for sip:1000@ back to srproxy (200): no REGISTER while it holds us
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(9))
                .until(() -> registration.successfulRegisters() == registersBefore);

        kamailio.stop();
        kamailio.startAgain(); // back before srproxy need notice any silence, with usrloc empty
        await("registered again within 30 s of the restart").atMost(Duration.ofSeconds(30))
                .until(() -> registration.successfulRegisters() > registersBefore
                        && registration.state() == RegistrationState.REGISTERED);
        phoneCallsAnAppAndItWorks("4403");
    }

    @Test
    void theSipServerIsDownAtStartAndWeRegisterWhenItComesUp() throws Exception {
        kamailio = KamailioServer.prepare("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(
                GatewayUnderTest.config(APP_ID, kamailio.port(), "1005", FAST_KEEPALIVE), "down-at-start.conf")).config());
        assertThat(health()).contains("\"status\":\"degraded\"", "proxy extension not registered");

        kamailio.startAgain();
        await("registered within 30 s of the server coming up").atMost(Duration.ofSeconds(30))
                .until(() -> srproxy.sip().orElseThrow().registrations().stream()
                        .allMatch(r -> r.state() == RegistrationState.REGISTERED));
        assertThat(health()).contains("\"status\":\"ok\"");

        phone = BaresipPhone.start("1005", kamailio.port(), 1000);
        phoneCallsAnAppAndItWorks("4402");
    }

    @Test
    void anAppsNetworkIsCutMidCallAndThePhoneGetsByeWithinTheKeepaliveWindow() throws Exception {
        kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
        phone = BaresipPhone.start("1005", kamailio.port(), 1000);
        srproxy = GatewayUnderTest.start(APP_ID, kamailio.port(), "1005", "");
        try (CuttableLink link = new CuttableLink(srproxy.webPort(), 1);
             AppUser app = new AppUser(link.port(), APP_ID, "5050")) {
            app.invite("1005", "{\"Mode\":1}");
            app.awaitStartingWith("accepted ");

            link.cut(); // no close frame, no FIN: srproxy only notices the silence
            // RTM keepalive: silent clients are dropped within 30 s (25 s of silence + a 5 s sweep)
            GatewayUnderTest.awaitNoActiveCalls(srproxy, Duration.ofSeconds(40));
            // CallLog puts an ended call in recent before it leaves active: no wait for recent
            assertThat(srproxy.calls().recent().get(0).endReason())
                    .hasValueSatisfying(r -> assertThat(r).contains("app went offline"));
            await("BYE at the phone").atMost(Duration.ofSeconds(5)).until(() -> byesSeenByPhone() == 1);
        }
    }

    /** The phone dials 0&lt;uid&gt;, the app (logged in over /rtm) accepts, then hangs up. */
    private void phoneCallsAnAppAndItWorks(String uid) throws Exception {
        try (AppUser app = new AppUser(srproxy.webPort(), APP_ID, uid)) {
            app.onInvitation = "accept";
            phone.dial("0" + uid);
            app.awaitStartingWith("invited by sip~");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> srproxy.calls().active().stream().anyMatch(c -> c.answeredAt().isPresent()));
            app.client.sendMessageToPeer(app.invitations.get(0).callerId(), "{\"Cmd\":\"EndCall\"}").get();
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertThat(srproxy.calls().recent().get(0).direction()).isEqualTo(CallRecord.Direction.SIP_TO_APP);
            assertThat(srproxy.calls().recent().get(0).answeredAt()).isPresent();
        }
    }

    /** How often baresip said the other side hung up (it got a BYE). */
    private int byesSeenByPhone() {
        return phone.output().split("session closed: Connection reset by peer", -1).length - 1;
    }

    private String health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + srproxy.webPort() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
