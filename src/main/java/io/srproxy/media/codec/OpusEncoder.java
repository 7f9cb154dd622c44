package io.srproxy.media.codec;

import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import tomp2p.opuswrapper.Opus;

/**
 * A libopus encoder for mono 16-bit PCM at 8, 16 or 48 kHz (libopus takes the rate itself, so
 * G.711's 8 kHz needs no resampler). Not thread-safe: one per outgoing stream.
 */
public final class OpusEncoder implements AutoCloseable {

    public static final int MAX_PACKET = 1275;

    private final Opus opus = OpusNative.get();
    private final PointerByReference state;
    private final int sampleRate;
    private final ShortBuffer pcmIn;
    private final ByteBuffer packetOut = ByteBuffer.allocateDirect(MAX_PACKET);

    public OpusEncoder(int sampleRate, int complexity) {
        this(sampleRate, complexity, 0);
    }

    /** @param bitrate bit/s (libopus takes 500..512000), or 0 for libopus's automatic choice */
    public OpusEncoder(int sampleRate, int complexity, int bitrate) {
        this.sampleRate = sampleRate;
        IntBuffer error = IntBuffer.allocate(1);
        state = opus.opus_encoder_create(sampleRate, 1, Opus.OPUS_APPLICATION_VOIP, error);
        if (error.get(0) != Opus.OPUS_OK || state == null) {
            throw new IllegalStateException("opus_encoder_create failed: " + error.get(0));
        }
        opus.opus_encoder_ctl(state, Opus.OPUS_SET_COMPLEXITY_REQUEST, complexity);
        opus.opus_encoder_ctl(state, Opus.OPUS_SET_BITRATE_REQUEST, bitrate > 0 ? bitrate : Opus.OPUS_AUTO);
        pcmIn = ByteBuffer.allocateDirect(sampleRate / 50 * 6 * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** Encodes one frame of {@code n} samples (2.5..60 ms); returns the packet length written to {@code out}. */
    public int encode(short[] pcm, int pcmOff, int n, byte[] out, int outOff) {
        pcmIn.clear();
        pcmIn.put(pcm, pcmOff, n).flip();
        packetOut.clear();
        int len = opus.opus_encode(state, pcmIn, n, packetOut, MAX_PACKET);
        if (len < 0) {
            throw new IllegalStateException("opus_encode failed: " + len);
        }
        packetOut.get(out, outOff, len);
        return len;
    }

    @Override
    public void close() {
        opus.opus_encoder_destroy(state);
    }
}
