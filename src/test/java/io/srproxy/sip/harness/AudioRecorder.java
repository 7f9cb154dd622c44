package io.srproxy.sip.harness;

import io.srproxy.media.codec.G711;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.RtpPacketHandler;
import java.util.Arrays;

/** Decodes received G.711 RTP into 8 kHz samples for tone detection (test only). */
public final class AudioRecorder implements RtpPacketHandler {

    private short[] samples = new short[8000 * 10];
    private int count;
    private int packets;

    @Override
    public synchronized void onRtp(byte[] buf, int off, int len) {
        int pt = RtpHeader.payloadType(buf, off);
        packets++;
        if (pt != 0 && pt != 8) {
            return;
        }
        int at = off + RtpHeader.headerLength(buf, off, len);
        int n = RtpHeader.payloadLength(buf, off, len);
        if (count + n > samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        G711.decode(buf, at, samples, count, n, pt == 8);
        count += n;
    }

    public synchronized short[] samples() {
        return Arrays.copyOf(samples, count);
    }

    public synchronized int packets() {
        return packets;
    }

    /** Seconds of audio received. */
    public synchronized double seconds() {
        return count / 8000.0;
    }
}
