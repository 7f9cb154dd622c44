package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.rtc.Channel;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conference legs without a browser (so this class runs beside others; ConferenceDialInTest has
 * the pages): srproxy with {@code [conference] on=1, prefix=8, pin=4321} registered at Kamailio.
 * Wrong PINs get a BYE; 20 dial-ins and hang-ups leave no member, mixer or call behind. An app in
 * a group call invites extension 1009 (baresip preferring Opus) with {@code Conference: true}: it
 * is offered G.711 only, joins that channel and is heard there, and hangs up when the others have
 * left.
 */
class ConferenceLegsTest {

    private static final String ROOM = DialIn.ROOM;
    private static final String PIN = DialIn.PIN;
    private static final double PHONE_TONE = 1000;

    private static DialIn.Rig rig;
    private static KamailioServer kamailio;
    private static Srproxy srproxy;

    @BeforeAll
    static void start() {
        rig = DialIn.Rig.start();
        kamailio = rig.kamailio();
        srproxy = rig.srproxy();
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private static boolean inRoom(String uid) {
        return rig.inRoom(uid);
    }

    @Test
    void threeWrongPinsGetABye() throws Exception {
        try (BaresipPhone phone = BaresipPhone.start("1006", kamailio.port(), PHONE_TONE)) {
            phone.dial("8" + ROOM);
            await().atMost(Duration.ofSeconds(15)).until(() -> srproxy.calls().active().size() == 1
                    && srproxy.calls().active().get(0).wasAnswered());
            DialIn.keyPin(phone, "1111#2222#");
            Thread.sleep(500);
            assertThat(srproxy.calls().active()).hasSize(1); // two wrong: still asked
            DialIn.keyPin(phone, "3333#");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertThat(srproxy.calls().recent().get(0).endReason()).hasValueSatisfying(r -> assertThat(r).contains("wrong PIN 3 times"));
            assertThat(inRoom("sip~1006")).isFalse();
        }
    }

    @Test
    void twentyDialInsAndHangUpsLeaveNothingBehind() throws Exception {
        int portsBefore = srproxy.sip().orElseThrow().rtpPortsInUse();
        io.srproxy.rtc.CapturingTransport listener = new io.srproxy.rtc.CapturingTransport(0x4444, io.srproxy.media.PayloadFormat.opus(111));
        try (BaresipPhone phone = BaresipPhone.start("1007", kamailio.port(), PHONE_TONE);
             BaresipPhone other = BaresipPhone.start("1008", kamailio.port(), 700)) {
            // an in-process app and a phone make a 1:1; each dial-in of a second phone makes a group
            srproxy.rtc().channels().join(ROOM, "listener", listener, e -> { }, true);
            other.dial("8" + ROOM);
            await().atMost(Duration.ofSeconds(15)).until(() -> srproxy.calls().active().size() == 1
                    && srproxy.calls().active().get(0).wasAnswered());
            DialIn.keyPin(other, PIN + "#");
            await().atMost(Duration.ofSeconds(10)).until(() -> inRoom("sip~1008"));
            Channel channel = srproxy.rtc().channels().channel(ROOM).orElseThrow();
            for (int i = 0; i < 20; i++) {
                phone.dial("8" + ROOM);
                await().atMost(Duration.ofSeconds(15)).until(() -> srproxy.calls().active().size() == 2);
                DialIn.keyPin(phone, PIN + "#");
                await().atMost(Duration.ofSeconds(10)).until(() -> inRoom("sip~1007"));
                assertThat(channel.mixing()).isTrue();
                assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isEqualTo(1);
                if (i == 0) {
                    assertThat(io.srproxy.testsupport.PromScrape.parse(srproxy.metrics().scrape()).value("srproxy_rtc_mixers")).isEqualTo(1);
                }
                phone.hangUp();
                await().atMost(Duration.ofSeconds(10)).until(() -> !inRoom("sip~1007") && srproxy.calls().active().size() == 1);
            }
            assertThat(channel.uids()).containsExactly("listener", "sip~1008");
            assertThat(channel.mixing()).isFalse();
            assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isZero();
            other.hangUp();
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            srproxy.rtc().channels().leave(ROOM, "listener", "done");
        }
        assertThat(srproxy.rtc().channels().size()).isZero();
        assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isZero();
        assertThat(io.srproxy.testsupport.PromScrape.parse(srproxy.metrics().scrape()).value("srproxy_rtc_mixers")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.sip().orElseThrow().activeCalls() == 0);
        assertThat(srproxy.sip().orElseThrow().rtpPortsInUse()).isEqualTo(portsBefore);
    }

    @Test
    void anAppInvitesAnExtensionIntoItsGroupCall() throws Exception {
        String room = "777000111";
        io.srproxy.rtc.CapturingTransport g1 = new io.srproxy.rtc.CapturingTransport(0x5151, io.srproxy.media.PayloadFormat.opus(111));
        io.srproxy.rtc.CapturingTransport g2 = new io.srproxy.rtc.CapturingTransport(0x5252, io.srproxy.media.PayloadFormat.opus(111));
        try (BaresipPhone phone = BaresipPhone.start("1009", kamailio.port(), PHONE_TONE, BaresipPhone.Codecs.OPUS_FIRST);
             AppUser app = new AppUser(srproxy.webPort(), "srproxy", "g1")) {
            srproxy.rtc().channels().join(room, "g1", g1, e -> { }, true);
            srproxy.rtc().channels().join(room, "g2", g2, e -> { }, true);
            app.invite("1009", "{\"Mode\":1,\"Conference\":true,\"ChanId\":\"" + room + "\"}");
            app.awaitStartingWith("accepted");
            Channel channel = srproxy.rtc().channels().channel(room).orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.uids().contains("1009"));
            assertThat(channel.uids()).containsExactly("g1", "g2", "1009");
            assertThat(channel.mixing()).isTrue();
            assertThat(srproxy.calls().active().get(0).sipCodec()).as("offered G.711 only").hasValue("PCMU");
            long ssrc = channel.subscribe("g1", List.of(new io.srproxy.rtc.Member.Want("1", io.srproxy.media.MediaKind.AUDIO, "1009")))
                    .get(0).ssrc();
            await().atMost(Duration.ofSeconds(15)).until(() -> g1.sent().stream()
                    .filter(p -> io.srproxy.media.rtp.RtpHeader.ssrc(p, 0) == ssrc).count() > 100);
            short[] heard = new short[200 * 960];
            int at = 0;
            try (io.srproxy.media.codec.OpusDecoder d = new io.srproxy.media.codec.OpusDecoder(8000)) {
                for (byte[] p : g1.sent()) {
                    if (io.srproxy.media.rtp.RtpHeader.ssrc(p, 0) == ssrc && at + 960 <= heard.length) {
                        at += Math.max(0, d.decode(p, 12, p.length - 12, heard, at));
                    }
                }
            }
            assertThat(DialIn.meanShare(Arrays.copyOfRange(heard, 800, at), 8000, PHONE_TONE)).as("g1 hears the phone").isGreaterThan(0.5);
            // the others leave: the phone, alone, is hung up
            srproxy.rtc().channels().leave(room, "g1", "bye");
            srproxy.rtc().channels().leave(room, "g2", "bye");
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            assertThat(srproxy.calls().recent().get(0).endReason())
                    .hasValueSatisfying(r -> assertThat(r).contains("everyone else left the conference"));
        }
    }
}
