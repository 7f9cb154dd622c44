package io.srproxy.rtc.mixer;

import io.srproxy.rtc.Codec;
import io.srproxy.rtc.codec.G711;
import io.srproxy.rtc.codec.G722;
import io.srproxy.rtc.codec.OpusDecoder;
import io.srproxy.rtc.codec.OpusEncoder;

/**
 * The mixer's decoders and encoders: every format to and from 8 kHz 16-bit PCM (the rate the
 * transcoders use too, so no resampler). Opus through libopus at 8 kHz, G.711 by table, G.722
 * in its 8 kHz mode (the lower sub-band: narrowband, as the rest of the mix).
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

    static boolean supports(Codec c) {
        return c.isOpus() || c.isG711() || c.isG722();
    }

    /** Largest decoded packet: 120 ms of Opus at 8 kHz; G.711 packets are cut to this. */
    static final int MAX_DECODED = ConferenceMixer.RATE * 120 / 1000;

    static Decoder decoder(Codec c) {
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
        if (c.isG722()) {
            G722 g = new G722();
            return (b, off, len, pcm, pcmOff) -> {
                int n = Math.min(len, MAX_DECODED);
                g.decode(b, off, pcm, pcmOff, n);
                return n;
            };
        }
        boolean alaw = c.name().equalsIgnoreCase("PCMA");
        return (b, off, len, pcm, pcmOff) -> {
            int n = Math.min(len, MAX_DECODED);
            G711.decode(b, off, pcm, pcmOff, n, alaw);
            return n;
        };
    }

    static Encoder encoder(Codec c, int opusComplexity, int opusBitrate) {
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
        if (c.isG722()) {
            G722 g = new G722();
            return (pcm, out, off) -> {
                g.encode(pcm, 0, out, off, ConferenceMixer.FRAME);
                return ConferenceMixer.FRAME;
            };
        }
        boolean alaw = c.name().equalsIgnoreCase("PCMA");
        return (pcm, out, off) -> {
            G711.encode(pcm, 0, out, off, ConferenceMixer.FRAME, alaw);
            return ConferenceMixer.FRAME;
        };
    }
}
