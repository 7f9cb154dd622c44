package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** STUN against the RFC 5769 test vectors, plus our writer read back by our reader. */
class StunTest {

    private static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    // RFC 5769 section 2.1, 2.2 and 2.3
    private static final byte[] REQUEST = hex(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74"
            + "002400046e0001ff80290008932ff9b151263b36000600096576746a3a6836765920202000080014"
            + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");
    private static final byte[] IPV4_RESPONSE = hex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f722000200008"
            + "0001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96");
    private static final byte[] IPV6_RESPONSE = hex(
            "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f722000200014"
            + "0002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf11784c97c8292c275"
            + "bfe3ed4180280004c8fb0b4c");

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void sampleRequestIsRecognisedAndAuthenticated() {
        assertThat(Stun.isStun(REQUEST, 0, REQUEST.length)).isTrue();
        assertThat(Stun.messageType(REQUEST, 0)).isEqualTo(Stun.BINDING_REQUEST);
        assertThat(Stun.username(REQUEST, 0, REQUEST.length)).isEqualTo("evtj:h6vY");
        assertThat(Stun.checkFingerprint(REQUEST, 0, REQUEST.length)).isTrue();
        assertThat(Stun.checkIntegrity(REQUEST, 0, REQUEST.length, PASSWORD)).isTrue();
        assertThat(Stun.findAttribute(REQUEST, 0, REQUEST.length, Stun.ATTR_ICE_CONTROLLED)).isPositive();
    }

    @Test
    void ipv4AndIpv6ResponsesCarryTheirMappedAddress() throws Exception {
        for (byte[] msg : new byte[][] {IPV4_RESPONSE, IPV6_RESPONSE}) {
            assertThat(Stun.isStun(msg, 0, msg.length)).isTrue();
            assertThat(Stun.checkFingerprint(msg, 0, msg.length)).isTrue();
            assertThat(Stun.checkIntegrity(msg, 0, msg.length, PASSWORD)).isTrue();
        }
        assertThat(Stun.xorMappedAddress(IPV4_RESPONSE, 0, IPV4_RESPONSE.length))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        assertThat(Stun.xorMappedAddress(IPV6_RESPONSE, 0, IPV6_RESPONSE.length))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
    }

    @Test
    void wrongPasswordOrFlippedBitFails() {
        assertThat(Stun.checkIntegrity(REQUEST, 0, REQUEST.length, "wrong".getBytes())).isFalse();
        byte[] tampered = REQUEST.clone();
        tampered[30] ^= 1; // inside SOFTWARE
        assertThat(Stun.checkIntegrity(tampered, 0, tampered.length, PASSWORD)).isFalse();
        assertThat(Stun.checkFingerprint(tampered, 0, tampered.length)).isFalse();
    }

    @Test
    void garbageIsNotStun() {
        byte[] rtp = hex("80000001000000000000000100000000000000000000");
        assertThat(Stun.isStun(rtp, 0, rtp.length)).isFalse();
        assertThat(Stun.isStun(REQUEST, 0, 19)).isFalse();
        assertThat(Stun.isStun(REQUEST, 0, REQUEST.length - 4)).isFalse(); // truncated
    }

    @Test
    void writerMatchesTheVectorsMappedAddressAndReadsBack() throws Exception {
        byte[] buf = new byte[200];
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        StunWriter w = new StunWriter(buf, 0, Stun.BINDING_SUCCESS, IPV4_RESPONSE, 8)
                .xorMappedAddress(mapped).integrity(PASSWORD).fingerprint();
        int len = w.length();
        // the XOR-MAPPED-ADDRESS attribute's bytes are the vector's
        int ours = Stun.findAttribute(buf, 0, len, Stun.ATTR_XOR_MAPPED_ADDRESS);
        int theirs = Stun.findAttribute(IPV4_RESPONSE, 0, IPV4_RESPONSE.length, Stun.ATTR_XOR_MAPPED_ADDRESS);
        assertThat(java.util.Arrays.copyOfRange(buf, ours, ours + 12))
                .isEqualTo(java.util.Arrays.copyOfRange(IPV4_RESPONSE, theirs, theirs + 12));
        assertThat(Stun.isStun(buf, 0, len)).isTrue();
        assertThat(Stun.checkIntegrity(buf, 0, len, PASSWORD)).isTrue();
        assertThat(Stun.checkFingerprint(buf, 0, len)).isTrue();
        assertThat(Stun.xorMappedAddress(buf, 0, len)).isEqualTo(mapped);
    }
}
