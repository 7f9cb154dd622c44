package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RtcpTest {

    @Test
    void senderReportRoundTrips() {
        byte[] b = new byte[100];
        Rtcp.ReportBlock block = new Rtcp.ReportBlock(0x11223344L, 12, -3, 0x00010005L, 77, 0xAABBCCDDL, 65536);
        long ntp = Rtcp.ntp(1_700_000_000_123L);
        int len = Rtcp.writeSenderReport(b, 0, 0xCAFEBABEL, ntp, 160_000, 42, 6720, block);
        assertThat(len).isEqualTo(52);
        assertThat(b[0] & 0xFF).isEqualTo(0x81);
        assertThat(b[1] & 0xFF).isEqualTo(200);
        assertThat(((b[2] & 0xFF) << 8) | (b[3] & 0xFF)).isEqualTo(12); // length in 32-bit words minus one
        Rtcp.Report r = Rtcp.parse(b, 0, len);
        assertThat(r.type()).isEqualTo(Rtcp.SR);
        assertThat(r.senderSsrc()).isEqualTo(0xCAFEBABEL);
        assertThat(r.packetCount()).isEqualTo(42);
        assertThat(r.octetCount()).isEqualTo(6720);
        assertThat(r.ntpMiddle32()).isEqualTo((ntp >>> 16) & 0xFFFFFFFFL);
        assertThat(r.block()).isEqualTo(block);
    }

    @Test
    void ntpTimeOfTheUnixEpochIsSeventyYearsIn() {
        assertThat(Rtcp.ntp(0) >>> 32).isEqualTo(2_208_988_800L);
        assertThat(Rtcp.ntp(500) & 0xFFFFFFFFL).isEqualTo(0x80000000L);
    }

    @Test
    void receiverReportWithoutBlockAndGarbage() {
        byte[] b = new byte[8];
        assertThat(Rtcp.writeReceiverReport(b, 0, 7, null)).isEqualTo(8);
        Rtcp.Report r = Rtcp.parse(b, 0, 8);
        assertThat(r.type()).isEqualTo(Rtcp.RR);
        assertThat(r.block()).isNull();
        assertThat(Rtcp.parse(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}, 0, 8)).isNull();
        b[3] = 40; // claims more than there is
        assertThat(Rtcp.parse(b, 0, 8)).isNull();
    }
}
