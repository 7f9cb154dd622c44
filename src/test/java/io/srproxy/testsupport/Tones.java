package io.srproxy.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Known tones in and out of tests: WAV writing/reading and Goertzel detection of one frequency. */
public final class Tones {

    private Tones() {}

    /** 16-bit signed mono samples of a sine at {@code hz}. */
    public static short[] sine(double hz, int sampleRate, double seconds, double amplitude) {
        int n = (int) (sampleRate * seconds);
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
            out[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / sampleRate));
        }
        return out;
    }

    /** Writes a PCM 16-bit mono WAV. */
    public static Path writeWav(Path file, short[] samples, int sampleRate) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples.length * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples.length * 2);
        for (short s : samples) {
            b.putShort(s);
        }
        Files.write(file, b.array());
        return file;
    }

    /** PCM samples and rate of a 16-bit WAV (first channel when stereo). */
    public record Pcm(short[] samples, int sampleRate) {}

    public static Pcm readWav(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(12);
        int rate = 0;
        int channels = 1;
        while (b.remaining() >= 8) {
            byte[] id = new byte[4];
            b.get(id);
            int size = b.getInt();
            String chunk = new String(id);
            if (chunk.equals("fmt ")) {
                int start = b.position();
                b.getShort();
                channels = b.getShort();
                rate = b.getInt();
                b.position(start + size);
            } else if (chunk.equals("data")) {
                int len = Math.min(size, b.remaining()) / 2 / channels;
                short[] out = new short[len];
                for (int i = 0; i < len; i++) {
                    out[i] = b.getShort();
                    for (int c = 1; c < channels; c++) {
                        b.getShort();
                    }
                }
                return new Pcm(out, rate);
            } else {
                b.position(b.position() + size + (size & 1));
            }
        }
        return new Pcm(new short[0], rate);
    }

    /** Power of {@code hz} relative to the whole signal's power (0..1); a clean tone gives about 1. */
    public static double relativePower(short[] samples, int sampleRate, double hz) {
        if (samples.length == 0) {
            return 0;
        }
        double coeff = 2 * Math.cos(2 * Math.PI * hz / sampleRate);
        double s1 = 0;
        double s2 = 0;
        double total = 0;
        for (short x : samples) {
            double s0 = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
            total += (double) x * x;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        if (total == 0) {
            return 0;
        }
        return 2 * power / (samples.length * total);
    }

    /** True when {@code hz} carries at least {@code minShare} of the signal's power. */
    public static boolean contains(short[] samples, int sampleRate, double hz, double minShare) {
        return relativePower(samples, sampleRate, hz) >= minShare;
    }

    public static byte[] toBytes(short[] samples) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(samples.length * 2);
        for (short s : samples) {
            out.write(s & 0xff);
            out.write((s >> 8) & 0xff);
        }
        return out.toByteArray();
    }
}
