package io.srproxy.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any datagram read the way RtpSession and the WebRTC path read RTP: demultiplexing never throws,
 * a packet taken for RTP has its header inside it, and the fixed header's fields write back as read.
 */
class RtpHeaderFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void fuzz(byte[] datagram) {
        int len = datagram.length;
        boolean rtcp = RtpHeader.isRtcp(datagram, 0, len);
        boolean rtp = RtpHeader.isRtp(datagram, 0, len);
        assertThat(rtp && rtcp).as("RTP and RTCP at once").isFalse();
        if (!rtp) {
            return;
        }
        int header = RtpHeader.headerLength(datagram, 0, len);
        assertThat(header).isBetween(RtpHeader.FIXED_HEADER_LENGTH, len);
        int payload = RtpHeader.payloadLength(datagram, 0, len);
        assertThat(payload).isLessThanOrEqualTo(len - header);

        boolean marker = RtpHeader.marker(datagram, 0);
        int pt = RtpHeader.payloadType(datagram, 0);
        int seq = RtpHeader.sequence(datagram, 0);
        long ts = RtpHeader.timestamp(datagram, 0);
        long ssrc = RtpHeader.ssrc(datagram, 0);
        byte[] copy = new byte[RtpHeader.FIXED_HEADER_LENGTH];
        RtpHeader.writeFixed(copy, 0, marker, pt, seq, ts, ssrc);
        assertThat(RtpHeader.marker(copy, 0)).isEqualTo(marker);
        assertThat(RtpHeader.payloadType(copy, 0)).isEqualTo(pt);
        assertThat(RtpHeader.sequence(copy, 0)).isEqualTo(seq);
        assertThat(RtpHeader.timestamp(copy, 0)).isEqualTo(ts);
        assertThat(RtpHeader.ssrc(copy, 0)).isEqualTo(ssrc);
    }
}
