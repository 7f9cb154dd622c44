package io.srproxy.media.codec;

import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import tomp2p.opuswrapper.Opus;

/**
 * A libopus decoder to mono 16-bit PCM at 8, 16 or 48 kHz (libopus decodes to the rate asked
 * for). Not thread-safe: one per incoming stream.
 */
public final class OpusDecoder implements AutoCloseable {

    private final Opus opus = OpusNative.get();
    private final PointerByReference state;
    private final int sampleRate;
    private final int maxFrame;
    private final ShortBuffer pcmOut;
    private final byte[] packet = new byte[OpusEncoder.MAX_PACKET * 3];

    public OpusDecoder(int sampleRate) {
        this.sampleRate = sampleRate;
        IntBuffer error = IntBuffer.allocate(1);
        state = opus.opus_decoder_create(sampleRate, 1, error);
        if (error.get(0) != Opus.OPUS_OK || state == null) {
            throw new IllegalStateException("opus_decoder_create failed: " + error.get(0));
        }
        maxFrame = sampleRate * 120 / 1000;
        pcmOut = ByteBuffer.allocateDirect(maxFrame * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    public int sampleRate() {
        return sampleRate;
    }

    /**
     * Decodes one packet into {@code pcm} (room for 120 ms at this rate); returns the sample
     * count, or -1 when the packet is not valid Opus.
     */
    public int decode(byte[] buf, int off, int len, short[] pcm, int pcmOff) {
        if (len <= 0 || len > packet.length) {
            return -1;
        }
        byte[] in = packet;
        System.arraycopy(buf, off, in, 0, len);
        pcmOut.clear();
        int n = opus.opus_decode(state, in, len, pcmOut, maxFrame, 0);
        if (n < 0) {
            return -1;
        }
        pcmOut.get(pcm, pcmOff, n);
        return n;
    }

    @Override
    public void close() {
        opus.opus_decoder_destroy(state);
    }
}
