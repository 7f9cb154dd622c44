package io.srproxy.rtc.mixer;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusDecoder;
import io.srproxy.media.codec.OpusEncoder;

/**
 * The mixer's decoders and encoders: every format to and from 8 kHz 16-bit PCM (the rate the
 * transcoders use too, so no resampler). Opus through libopus at 8 kHz, G.711 by table. Nothing
 * else: srproxy has no G.722 codec (only G.711 may be hand-written, and no approved library has
 * one), so a G.722 leg is never mixed; the channel refuses the member that would make it so.
 */
final class FrameCodecs {

    private FrameCodecs() {}

    /** Decodes one RTP payload into {@code pcm} at {@code off}; returns the samples, or <= 0. */
    interface Decoder extends AutoCloseable {
        int decode(byte[] b, int off, int len, short[] pcm, int pcmOff);

        @Override
        default void close() {}
    }

    /** Encodes one 20 ms frame (160 samples); returns the payload length written at {@code off}. */
    interface Encoder extends AutoCloseable {
        int encode(short[] pcm, byte[] out, int off);

        @Override
        default void close() {}
    }

    static boolean supports(PayloadFormat c) {
        return c.isOpus() || c.isG711();
    }

    /** Largest decoded packet: 120 ms of Opus at 8 kHz; G.711 packets are cut to this. */
    static final int MAX_DECODED = ConferenceMixer.RATE * 120 / 1000;

    static Decoder decoder(PayloadFormat c) {
        if (c.isOpus()) {
            OpusDecoder d = new OpusDecoder(ConferenceMixer.RATE);
            return new Decoder() {
                @Override
                public int decode(byte[] b, int off, int len, short[] pcm, int pcmOff) {
                    return d.decode(b, off, len, pcm, pcmOff);
                }

                @Override
                public void close() {
                    d.close();
                }
            };
        }
        boolean alaw = c.name().equalsIgnoreCase("PCMA");
        return (b, off, len, pcm, pcmOff) -> {
            int n = Math.min(len, MAX_DECODED);
            G711.decode(b, off, pcm, pcmOff, n, alaw);
            return n;
        };
    }

    static Encoder encoder(PayloadFormat c, int opusComplexity, int opusBitrate) {
        if (c.isOpus()) {
            OpusEncoder e = new OpusEncoder(ConferenceMixer.RATE, opusComplexity, opusBitrate);
            return new Encoder() {
                @Override
                public int encode(short[] pcm, byte[] out, int off) {
                    return e.encode(pcm, 0, ConferenceMixer.FRAME, out, off);
                }

                @Override
                public void close() {
                    e.close();
                }
            };
        }
        boolean alaw = c.name().equalsIgnoreCase("PCMA");
        return (pcm, out, off) -> {
            G711.encode(pcm, 0, out, off, ConferenceMixer.FRAME, alaw);
            return ConferenceMixer.FRAME;
        };
    }
}
