package io.srproxy.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.Arrays;

/**
 * What one libopus build costs per 20 ms frame, through JNA as srproxy calls it: encoding 8 kHz
 * mono (the transcoder's side towards Opus) at complexity 0 and 5, and decoding to 8 kHz a 48 kHz
 * stream like the load harness's apps send. A {@code main()}, not a test (docs/benchmarks.md,
 * "What bounds the other targets"). Argument: the path of a libopus shared library.
 */
public final class LibopusCost {

    private static final int APPLICATION_VOIP = 2048;
    private static final int SET_COMPLEXITY = 4010;
    private static final int WARM_UP = 20_000;
    private static final int FRAMES = 40_000;

    /** The libopus calls measured (srproxy's own wrapper loads the bundled library only). */
    public interface Opus extends Library {
        Pointer opus_encoder_create(int fs, int channels, int application, IntByReference error);

        int opus_encoder_ctl(Pointer st, int request, Object... args);

        int opus_encode(Pointer st, short[] pcm, int frameSize, byte[] data, int maxBytes);

        Pointer opus_decoder_create(int fs, int channels, IntByReference error);

        int opus_decode(Pointer st, byte[] data, int len, short[] pcm, int frameSize, int fec);

        String opus_get_version_string();
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: LibopusCost /path/to/libopus.so");
            System.exit(2);
        }
        Opus opus = Native.load(args[0], Opus.class);
        System.out.println(opus.opus_get_version_string());
        IntByReference err = new IntByReference();

        // a second of a 440 Hz tone at 48 kHz, complexity 5: the harness's apps' stream
        Pointer source = opus.opus_encoder_create(48000, 1, APPLICATION_VOIP, err);
        opus.opus_encoder_ctl(source, SET_COMPLEXITY, 5);
        short[] tone = new short[960];
        byte[][] stream = new byte[50][];
        byte[] out = new byte[1500];
        for (int f = 0; f < stream.length; f++) {
            for (int i = 0; i < tone.length; i++) {
                tone[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * (f * 960 + i) / 48000.0));
            }
            stream[f] = Arrays.copyOf(out, opus.opus_encode(source, tone, 960, out, out.length));
        }

        short[] pcm = new short[160];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (8000 * Math.sin(i * 0.3));
        }
        for (int complexity : new int[] {0, 5}) {
            Pointer enc = opus.opus_encoder_create(8000, 1, APPLICATION_VOIP, err);
            opus.opus_encoder_ctl(enc, SET_COMPLEXITY, complexity);
            for (int i = 0; i < WARM_UP; i++) {
                opus.opus_encode(enc, pcm, 160, out, out.length);
            }
            long t = System.nanoTime();
            for (int i = 0; i < FRAMES; i++) {
                opus.opus_encode(enc, pcm, 160, out, out.length);
            }
            System.out.printf(java.util.Locale.ROOT, "encode 8 kHz mono, complexity %d: %.1f us per frame%n", complexity,
                    (System.nanoTime() - t) / 1e3 / FRAMES);
        }
        Pointer dec = opus.opus_decoder_create(8000, 1, err);
        short[] decoded = new short[960];
        for (int i = 0; i < WARM_UP; i++) {
            opus.opus_decode(dec, stream[i % 50], stream[i % 50].length, decoded, 960, 0);
        }
        long t = System.nanoTime();
        for (int i = 0; i < FRAMES; i++) {
            opus.opus_decode(dec, stream[i % 50], stream[i % 50].length, decoded, 960, 0);
        }
        System.out.printf(java.util.Locale.ROOT, "decode the 48 kHz stream to 8 kHz: %.1f us per frame%n",
                (System.nanoTime() - t) / 1e3 / FRAMES);
    }
}
