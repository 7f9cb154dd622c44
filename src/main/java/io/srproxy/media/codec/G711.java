package io.srproxy.media.codec;

/**
 * ITU-T G.711 mu-law (PCMU, payload type 0) and A-law (PCMA, payload type 8), 8 kHz, one byte per
 * sample. Decoding uses 256-entry tables; encoding is the standard segment search. Allocation-free.
 */
public final class G711 {

    private static final int BIAS = 0x84;
    private static final int CLIP = 32635;
    private static final short[] ULAW_DECODE = new short[256];
    private static final short[] ALAW_DECODE = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            ULAW_DECODE[i] = ulawToLinear(i);
            ALAW_DECODE[i] = alawToLinear(i);
        }
    }

    private G711() {}

    public static byte linearToUlaw(int pcm) {
        int sign = (pcm >> 8) & 0x80;
        if (sign != 0) {
            pcm = -pcm;
        }
        if (pcm > CLIP) {
            pcm = CLIP;
        }
        pcm += BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (pcm >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    public static byte linearToAlaw(int pcm) {
        int sign = (~pcm >> 8) & 0x80; // A-law: bit 7 set for positive
        if (sign == 0) {
            pcm = -pcm;
        }
        if (pcm > 32767) {
            pcm = 32767;
        }
        int value;
        if (pcm >= 256) {
            int exponent = 7;
            for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 1; mask >>= 1) {
                exponent--;
            }
            int mantissa = (pcm >> (exponent + 3)) & 0x0F;
            value = (exponent << 4) | mantissa;
        } else {
            value = pcm >> 4;
        }
        return (byte) ((value | sign) ^ 0x55);
    }

    public static short ulawDecode(byte code) {
        return ULAW_DECODE[code & 0xFF];
    }

    public static short alawDecode(byte code) {
        return ALAW_DECODE[code & 0xFF];
    }

    /** Encodes {@code n} samples into {@code out}; {@code alaw} chooses PCMA over PCMU. */
    public static void encode(short[] pcm, int pcmOff, byte[] out, int outOff, int n, boolean alaw) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = alaw ? linearToAlaw(pcm[pcmOff + i]) : linearToUlaw(pcm[pcmOff + i]);
        }
    }

    public static void decode(byte[] in, int inOff, short[] pcm, int pcmOff, int n, boolean alaw) {
        short[] table = alaw ? ALAW_DECODE : ULAW_DECODE;
        for (int i = 0; i < n; i++) {
            pcm[pcmOff + i] = table[in[inOff + i] & 0xFF];
        }
    }

    private static short ulawToLinear(int code) {
        int u = ~code & 0xFF;
        int t = ((u & 0x0F) << 3) + BIAS;
        t <<= (u & 0x70) >> 4;
        return (short) ((u & 0x80) != 0 ? BIAS - t : t - BIAS);
    }

    private static short alawToLinear(int code) {
        int a = code ^ 0x55;
        int t = (a & 0x0F) << 4;
        int seg = (a & 0x70) >> 4;
        switch (seg) {
            case 0 -> t += 8;
            case 1 -> t += 0x108;
            default -> {
                t += 0x108;
                t <<= seg - 1;
            }
        }
        return (short) ((a & 0x80) != 0 ? t : -t);
    }
}
