package io.srproxy.testsupport;

/** JavaScript run in a test page to measure what a browser hears. */
public final class WebAudioProbe {

    private WebAudioProbe() {}

    /**
     * An async function body: the loudest frequency (Hz) of the MediaStreamTrack in {@code track},
     * by WebAudio FFT over about a second, or -1 when it is silent.
     */
    public static final String PEAK_HZ_OF_TRACK =
            "const ctx = new AudioContext(); await ctx.resume();"
            + "const src = ctx.createMediaStreamSource(new MediaStream([track]));"
            + "const an = ctx.createAnalyser(); an.fftSize = 8192; an.smoothingTimeConstant = 0.5; src.connect(an);"
            + "const bins = new Float32Array(an.frequencyBinCount);"
            + "await new Promise(r => setTimeout(r, 1200));"
            + "an.getFloatFrequencyData(bins);"
            + "let best = 1; for (let i = 2; i < bins.length; i++) if (bins[i] > bins[best]) best = i;"
            + "const level = bins[best]; await ctx.close();"
            + "return level < -90 ? -1 : best * ctx.sampleRate / an.fftSize;";
}
