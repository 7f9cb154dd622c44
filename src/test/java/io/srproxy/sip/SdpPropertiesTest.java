package io.srproxy.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** Whatever arrives as an SDP body, the parser answers with a usable description or an SdpException (400/488). */
class SdpPropertiesTest {

    private static final String VALID = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    @Property(tries = 300)
    void garbageIsRefusedCleanly(@ForAll @StringLength(max = 300) String body) {
        assertRefusedOrParsed(body);
        assertRefusedOrParsed("v=0\r\n" + body);
    }

    @Property(tries = 300)
    void aDamagedOfferIsRefusedCleanly(@ForAll @StringLength(max = 40) String junk, @ForAll("cuts") int cut) {
        int at = Math.min(cut, VALID.length());
        assertRefusedOrParsed(VALID.substring(0, at) + junk + VALID.substring(at));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> cuts() {
        return net.jqwik.api.Arbitraries.integers().between(0, VALID.length());
    }

    private static void assertRefusedOrParsed(String body) {
        try {
            MediaDescription d = Sdp.parse(body);
            assertThat(d.rtp()).isNotNull();
            OfferAnswer.fromConfig(List.of("PCMU")).negotiate(d, MediaDirection.SENDRECV, true);
        } catch (SdpException e) {
            assertThat(e.status()).isIn(400, 488);
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
