package io.srproxy.rtc;

import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.rtc.mixer.ConferenceMixer;

/**
 * Where a conference mixer's payloads for one receiver's stream go: a fresh header carrying the
 * stream on (its SSRC, next sequence number, timestamp 20 ms on), then the receiver's transport.
 * A copy per receiver, since the same encoded payload goes to several and a transport encrypts
 * in place. Runs on the channel's worker only.
 */
final class MixerOutput implements ConferenceMixer.Output {

    private final MediaTransport transport;
    private final OutboundStream stream;
    private final byte[] packet = new byte[RtpHeader.FIXED_HEADER_LENGTH + 1500 + MediaTransport.TRAILER_ROOM];

    MixerOutput(MediaTransport transport, OutboundStream stream) {
        this.transport = transport;
        this.stream = stream;
    }

    @Override
    public void send(byte[] payload, int off, int len, int payloadType, int timestampStep) {
        if (len > 1500) {
            return;
        }
        System.arraycopy(payload, off, packet, RtpHeader.FIXED_HEADER_LENGTH, len);
        long ts = stream.advanceTimestamp(timestampStep);
        RtpHeader.writeFixed(packet, 0, false, payloadType, stream.nextSequence(), ts, stream.ssrc());
        transport.sendRtp(packet, 0, RtpHeader.FIXED_HEADER_LENGTH + len);
    }
}
