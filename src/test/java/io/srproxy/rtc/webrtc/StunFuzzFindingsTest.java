package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Inputs StunFuzzTest found that once threw; each must now read as "absent" or "malformed". */
class StunFuzzFindingsTest {

    @Test
    void anEmptyXorMappedAddressEndingTheDatagramIsMalformedNotAnIndexError() {
        // binding success, length 4: one XOR-MAPPED-ADDRESS attribute of length 0, the datagram's last bytes
        byte[] datagram = HexFormat.of().parseHex("010100042112a442b7e7a701bc34d686fa87dfae00200000");
        assertThat(Stun.isStun(datagram, 0, datagram.length)).isTrue();
        assertThat(Stun.xorMappedAddress(datagram, 0, datagram.length)).isNull();
    }
}
