package io.srproxy.sip.harness;

import io.srproxy.media.codec.G711;
import io.srproxy.sip.SipCall;
import io.srproxy.testsupport.Tones;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Sends a tone as G.711 RTP over a call's session, one 20 ms frame at a time (test only). */
public final class TonePlayer {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-tone");
        t.setDaemon(true);
        return t;
    });
    private volatile int frames;

    private TonePlayer() {}

    static TonePlayer play(SipCall call, double hz, double seconds) {
        TonePlayer p = new TonePlayer();
        boolean alaw = call.media() != null && call.media().audio().payloadType() == 8;
        int pt = alaw ? 8 : 0;
        short[] pcm = Tones.sine(hz, 8000, seconds, 0.5);
        byte[] frame = new byte[160];
        int total = pcm.length / 160;
        p.timer.scheduleAtFixedRate(() -> {
            int i = p.frames;
            if (i >= total || call.isEnded()) {
                p.timer.shutdown();
                return;
            }
            G711.encode(pcm, i * 160, frame, 0, 160, alaw);
            call.rtp().sendPayload(pt, frame, 0, 160, 160, i == 0);
            p.frames = i + 1;
        }, 0, 20, TimeUnit.MILLISECONDS);
        return p;
    }

    public boolean done() {
        return p().timer.isShutdown();
    }

    private TonePlayer p() {
        return this;
    }

    public int framesSent() {
        return frames;
    }

    public void stop() {
        timer.shutdownNow();
    }
}
