package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any datagram through Rtcp.parse (RtpSession's RTCP path): null or a report, never an exception;
 * a report written back with Rtcp's writers parses to the same report.
 */
class RtcpFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] datagram) {
        int off = datagram.length > 0 ? datagram[datagram.length - 1] & 3 : 0;
        byte[] b = new byte[datagram.length + off];
        System.arraycopy(datagram, 0, b, off, datagram.length);
        Rtcp.Report report = Rtcp.parse(b, off, datagram.length);
        if (report == null) {
            return;
        }
        assertThat(report.type()).isIn(Rtcp.SR, Rtcp.RR);
        byte[] out = new byte[64];
        int n = report.type() == Rtcp.SR
                ? Rtcp.writeSenderReport(out, 0, report.senderSsrc(), report.ntpMiddle32() << 16, 0,
                        report.packetCount(), report.octetCount(), report.block())
                : Rtcp.writeReceiverReport(out, 0, report.senderSsrc(), report.block());
        assertThat(RtpHeader.isRtcp(out, 0, n)).isTrue();
        assertThat(Rtcp.parse(out, 0, n)).isEqualTo(report);
    }
}
