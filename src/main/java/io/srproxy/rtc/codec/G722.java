package io.srproxy.rtc.codec;

/**
 * G.722 (ITU-T G.722, 64 kbit/s, sub-band ADPCM) in its 8 kHz mode, as spandsp and FreeSWITCH
 * offer it: the encoder takes 8 kHz PCM as the lower sub-band and leaves the upper one silent, the
 * decoder returns the lower sub-band at 8 kHz. One code byte per 8 kHz sample, so 20 ms is 160
 * bytes, matching G.722's 8000 Hz RTP clock. Enough for a narrowband conference mix; a phone
 * decoding our stream hears it as 16 kHz audio without its upper band. Stateful: one instance per
 * direction and stream, on one thread.
 */
public final class G722 {

    private static final int[] WL = {-60, -30, 58, 172, 334, 538, 1198, 3042};
    private static final int[] RL42 = {0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0};
    private static final int[] ILB = {2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656,
        2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008};
    private static final int[] QM4 = {0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288,
        4240, 2584, 1200, 0};
    private static final int[] QM6 = {-136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280,
        -11192, -10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400,
        -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856,
        7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136};
    private static final int[] Q6 = {0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786,
        858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0};
    private static final int[] ILN = {0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15,
        14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0};
    private static final int[] ILP = {0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43,
        42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0};

    /** The adaptive predictor and quantiser state of the lower sub-band. */
    private int s;
    private int sp;
    private int sz;
    private final int[] r = new int[3];
    private final int[] a = new int[3];
    private final int[] ap = new int[3];
    private final int[] p = new int[3];
    private final int[] d = new int[7];
    private final int[] b = new int[7];
    private final int[] bp = new int[7];
    private final int[] sg = new int[7];
    private int nb;
    private int det = 32;

    private static int saturate(int v) {
        return v > Short.MAX_VALUE ? Short.MAX_VALUE : v < Short.MIN_VALUE ? Short.MIN_VALUE : v;
    }

    /** Encodes {@code n} samples of 8 kHz PCM into {@code n} code bytes. */
    public void encode(short[] pcm, int pcmOff, byte[] out, int outOff, int n) {
        for (int j = 0; j < n; j++) {
            int xlow = pcm[pcmOff + j] >> 1; // G.722 works on 15 bits
            int el = saturate(xlow - s);
            int wd = el >= 0 ? el : -(el + 1);
            int i;
            for (i = 1; i < 30; i++) {
                if (wd < (Q6[i] * det) >> 12) {
                    break;
                }
            }
            int ilow = el < 0 ? ILN[i] : ILP[i];
            int ril = ilow >> 2;
            int dlow = (det * QM4[ril]) >> 15;
            adaptScale(RL42[ril]);
            update(dlow);
            out[outOff + j] = (byte) (0xC0 | ilow); // upper sub-band code left silent
        }
    }

    /** Decodes {@code n} code bytes into {@code n} samples of 8 kHz PCM (the lower sub-band). */
    public void decode(byte[] in, int inOff, short[] pcm, int pcmOff, int n) {
        for (int j = 0; j < n; j++) {
            int code = in[inOff + j] & 0x3F;
            int wd2 = (det * QM6[code]) >> 15;
            int rlow = s + wd2;
            rlow = rlow > 16383 ? 16383 : Math.max(rlow, -16384);
            int ril = code >> 2;
            int dlow = (det * QM4[ril]) >> 15;
            adaptScale(RL42[ril]);
            update(dlow);
            pcm[pcmOff + j] = (short) saturate(rlow << 1);
        }
    }

    /** Blocks 3L LOGSCL and SCALEL: the quantiser's scale factor follows the code. */
    private void adaptScale(int il4) {
        int wd = ((nb * 127) >> 7) + WL[il4];
        nb = wd < 0 ? 0 : Math.min(wd, 18432);
        int wd1 = (nb >> 6) & 31;
        int wd2 = 8 - (nb >> 11);
        int wd3 = wd2 < 0 ? ILB[wd1] << -wd2 : ILB[wd1] >> wd2;
        det = wd3 << 2;
    }

    /** Block 4: reconstruction and the pole-zero predictor's adaptation. */
    private void update(int dx) {
        d[0] = dx;
        r[0] = saturate(s + dx);
        p[0] = saturate(sz + dx);
        // UPPOL2
        for (int i = 0; i < 3; i++) {
            sg[i] = p[i] >> 15;
        }
        int wd1 = saturate(a[1] << 2);
        int wd2 = sg[0] == sg[1] ? -wd1 : wd1;
        if (wd2 > 32767) {
            wd2 = 32767;
        }
        int wd3 = (sg[0] == sg[2] ? 128 : -128) + (wd2 >> 7) + ((a[2] * 32512) >> 15);
        wd3 = Math.max(-12288, Math.min(12288, wd3));
        ap[2] = wd3;
        // UPPOL1
        sg[0] = p[0] >> 15;
        sg[1] = p[1] >> 15;
        wd1 = sg[0] == sg[1] ? 192 : -192;
        wd2 = (a[1] * 32640) >> 15;
        ap[1] = saturate(wd1 + wd2);
        wd3 = saturate(15360 - ap[2]);
        if (ap[1] > wd3) {
            ap[1] = wd3;
        } else if (ap[1] < -wd3) {
            ap[1] = -wd3;
        }
        // UPZERO
        wd1 = dx == 0 ? 0 : 128;
        sg[0] = dx >> 15;
        for (int i = 1; i < 7; i++) {
            sg[i] = d[i] >> 15;
            wd2 = sg[i] == sg[0] ? wd1 : -wd1;
            wd3 = (b[i] * 32640) >> 15;
            bp[i] = saturate(wd2 + wd3);
        }
        // DELAYA
        for (int i = 6; i > 0; i--) {
            d[i] = d[i - 1];
            b[i] = bp[i];
        }
        for (int i = 2; i > 0; i--) {
            r[i] = r[i - 1];
            p[i] = p[i - 1];
            a[i] = ap[i];
        }
        // FILTEP
        wd1 = (a[1] * saturate(r[1] + r[1])) >> 15;
        wd2 = (a[2] * saturate(r[2] + r[2])) >> 15;
        sp = saturate(wd1 + wd2);
        // FILTEZ
        int z = 0;
        for (int i = 6; i > 0; i--) {
            z += (b[i] * saturate(d[i] + d[i])) >> 15;
        }
        sz = saturate(z);
        // PREDIC
        s = saturate(sp + sz);
    }
}
