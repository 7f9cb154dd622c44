package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtpHeaderTest {

    // RFC 3550 fixed header: V=2, M=1, PT=0, seq=0x1234, ts=0xDEADBEEF, SSRC=0xCAFEBABE, 4 payload bytes.
    private static final byte[] PACKET = HexFormat.of().parseHex("80801234deadbeefcafebabe01020304");

    @Test
    void readsEveryFixedField() {
        assertThat(RtpHeader.isRtp(PACKET, 0, PACKET.length)).isTrue();
        assertThat(RtpHeader.marker(PACKET, 0)).isTrue();
        assertThat(RtpHeader.payloadType(PACKET, 0)).isZero();
        assertThat(RtpHeader.sequence(PACKET, 0)).isEqualTo(0x1234);
        assertThat(RtpHeader.timestamp(PACKET, 0)).isEqualTo(0xDEADBEEFL);
        assertThat(RtpHeader.ssrc(PACKET, 0)).isEqualTo(0xCAFEBABEL);
        assertThat(RtpHeader.payloadLength(PACKET, 0, PACKET.length)).isEqualTo(4);
    }

    @Test
    void rewritesInPlace() {
        byte[] p = PACKET.clone();
        RtpHeader.setSequence(p, 0, 0xFFFF);
        RtpHeader.setTimestamp(p, 0, 0xFFFFFFFFL);
        RtpHeader.setSsrc(p, 0, 1);
        RtpHeader.setPayloadType(p, 0, 111);
        RtpHeader.setMarker(p, 0, false);
        assertThat(RtpHeader.sequence(p, 0)).isEqualTo(0xFFFF);
        assertThat(RtpHeader.timestamp(p, 0)).isEqualTo(0xFFFFFFFFL);
        assertThat(RtpHeader.ssrc(p, 0)).isEqualTo(1);
        assertThat(RtpHeader.payloadType(p, 0)).isEqualTo(111);
        assertThat(RtpHeader.marker(p, 0)).isFalse();
    }

    @Test
    void accountsForCsrcsExtensionAndPadding() {
        // CC=1, X=1 (one extension word), P=1 with 2 padding bytes, 3 payload bytes.
        byte[] p = HexFormat.of().parseHex("b1000001000000000000000100000002" + "bede0001" + "10ff0000" + "aabbcc" + "0002");
        assertThat(RtpHeader.headerLength(p, 0, p.length)).isEqualTo(12 + 4 + 8);
        assertThat(RtpHeader.payloadLength(p, 0, p.length)).isEqualTo(3);
    }

    @Test
    void tellsRtcpFromRtpOnAMuxedPort() {
        byte[] senderReport = HexFormat.of().parseHex("80c80006cafebabe0000000000000000000000000000000000000000");
        assertThat(RtpHeader.isRtcp(senderReport, 0, senderReport.length)).isTrue();
        assertThat(RtpHeader.isRtp(senderReport, 0, senderReport.length)).isFalse();
        assertThat(RtpHeader.isRtcp(PACKET, 0, PACKET.length)).isFalse();
    }

    @Test
    void rejectsTruncatedAndForeignPackets() {
        assertThat(RtpHeader.isRtp(new byte[] {(byte) 0x80, 0, 0}, 0, 3)).isFalse();
        byte[] stun = HexFormat.of().parseHex("000100002112a442000000000000000000000000");
        assertThat(RtpHeader.isRtp(stun, 0, stun.length)).isFalse();
        byte[] truncatedExtension = HexFormat.of().parseHex("900000010000000000000001bede");
        assertThat(RtpHeader.isRtp(truncatedExtension, 0, truncatedExtension.length)).isFalse();
    }
}
