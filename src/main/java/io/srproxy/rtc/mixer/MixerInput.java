package io.srproxy.rtc.mixer;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.rtc.FrameRing;
import io.srproxy.rtc.PacketHandler;
import java.util.List;

/**
 * One sender's audio into a mixer. The I/O thread that receives the sender's packets only copies
 * each one into a bounded ring ({@link #onRtp}); the mixer's tick, on the channel's worker, drains
 * the ring, decodes each packet once into a PCM queue, and takes one 20 ms frame from it. The
 * queue is the jitter buffer: it starts (and restarts after running dry) only once it holds
 * {@link #PREBUFFER} samples, so packets that arrive early or late around the tick are not lost,
 * and it is cut back when it holds more than {@link #HIGH_WATER} (a sender whose clock runs fast,
 * or a burst after a stall), which bounds the delay. Telephone-events and formats without a
 * decoder are ignored.
 */
public final class MixerInput implements PacketHandler {

    /** 40 ms held before a frame is taken: absorbs the jitter of packets around the 20 ms tick. */
    static final int PREBUFFER = 2 * ConferenceMixer.FRAME;
    /** More than 120 ms queued: cut back to the prebuffer. */
    static final int HIGH_WATER = 6 * ConferenceMixer.FRAME;
    /** 32 x 20 ms between two ticks is far more than a late tick leaves. */
    private static final int RING_FRAMES = 32;

    private final String uid;
    private final FrameRing ring = new FrameRing(RING_FRAMES, 256, 1500);
    private final byte[] work = new byte[1500];
    private final FrameCodecs.Decoder[] decoders = new FrameCodecs.Decoder[128];
    private final short[] queue = new short[HIGH_WATER + FrameCodecs.MAX_DECODED + ConferenceMixer.FRAME];
    private final FrameRing.Sink sink = this::decode;
    private int queued;
    private boolean playing;
    private long missed;
    /** This tick's frame and whether there was one (worker only). */
    final short[] frame = new short[ConferenceMixer.FRAME];
    boolean hasFrame;
    boolean speaking;

    /** @param codecs the sender's negotiated formats (its payload types) */
    MixerInput(String uid, List<PayloadFormat> codecs) {
        this.uid = uid;
        for (PayloadFormat c : codecs) {
            if (FrameCodecs.supports(c) && decoders[c.payloadType() & 0x7F] == null) {
                decoders[c.payloadType() & 0x7F] = FrameCodecs.decoder(c);
            }
        }
    }

    public String uid() {
        return uid;
    }

    /** On the sender's I/O thread: queue a copy of an audio packet we can decode (video and events stay out of the ring). */
    @Override
    public void onRtp(byte[] b, int off, int len) {
        if (decoders[RtpHeader.payloadType(b, off)] != null) {
            ring.offer(b, off, len);
        }
    }

    @Override
    public void onRtcp(byte[] b, int off, int len) {
        // reports about what the mixer sends need no answer
    }

    /** Worker: decodes what arrived and takes the next 20 ms into {@link #frame}; false when none. */
    boolean take() {
        missed += ring.drain(work, sink);
        if (queued > HIGH_WATER) {
            drop(queued - PREBUFFER);
        }
        if (!playing && queued >= PREBUFFER) {
            playing = true;
        }
        if (!playing || queued < ConferenceMixer.FRAME) {
            playing = false; // ran dry: wait for the prebuffer again
            hasFrame = false;
            return false;
        }
        System.arraycopy(queue, 0, frame, 0, ConferenceMixer.FRAME);
        drop(ConferenceMixer.FRAME);
        hasFrame = true;
        return true;
    }

    private void decode(byte[] b, int off, int len) {
        FrameCodecs.Decoder d = decoders[RtpHeader.payloadType(b, off)];
        int payloadLen = RtpHeader.payloadLength(b, off, len);
        if (d == null || payloadLen <= 0) {
            return;
        }
        if (queued + FrameCodecs.MAX_DECODED > queue.length) {
            drop(queued + FrameCodecs.MAX_DECODED - queue.length);
        }
        int n = d.decode(b, off + RtpHeader.headerLength(b, off, len), payloadLen, queue, queued);
        if (n > 0) {
            queued += n;
        }
    }

    private void drop(int samples) {
        System.arraycopy(queue, samples, queue, 0, queued - samples);
        queued -= samples;
    }

    /** Packets lost because ticks fell far behind (for tests and logs). */
    long missed() {
        return missed;
    }

    /** Worker: frees the decoders. */
    void close() {
        for (int i = 0; i < decoders.length; i++) {
            if (decoders[i] != null) {
                decoders[i].close();
                decoders[i] = null;
            }
        }
    }
}
