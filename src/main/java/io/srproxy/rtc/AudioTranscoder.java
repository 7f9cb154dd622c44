package io.srproxy.rtc;

import io.srproxy.media.PayloadFormat;
import io.srproxy.media.codec.G711;
import io.srproxy.media.codec.OpusDecoder;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.media.rtp.RtpHeader;

/**
 * Audio from one codec to another through 8 kHz PCM: Opus (libopus decodes and encodes 8 kHz
 * itself) and G.711 (8 kHz by nature), so no resampler. Opus output goes out in 20 ms frames.
 * One per direction. It runs on its call's worker ({@link AudioWorker}), which also closes it,
 * so it takes no lock.
 */
final class AudioTranscoder implements AutoCloseable {

    static final int RATE = 8000;
    private static final int FRAME = RATE / 50;

    private final PayloadFormat from;
    private final PayloadFormat to;
    private final MediaTransport out;
    private final OutboundStream stream;
    private final OpusDecoder decoder;
    private final OpusEncoder encoder;
    private final short[] pcm = new short[RATE * 120 / 1000 + FRAME];
    private final short[] fifo = new short[RATE];
    private int fifoLen;
    private boolean closed;
    private final byte[] packet = new byte[12 + 1500 + MediaTransport.TRAILER_ROOM];

    /** True when this class can convert between the two. */
    static boolean supports(PayloadFormat from, PayloadFormat to) {
        return (from.isOpus() || from.isG711()) && (to.isOpus() || to.isG711()) && !from.sameFormat(to);
    }

    AudioTranscoder(PayloadFormat from, PayloadFormat to, MediaTransport out, OutboundStream stream) {
        this(from, to, out, stream, 5, TranscodeWorkers.AUTO_BITRATE);
    }

    /** @param opusBitrate bit/s, or {@link TranscodeWorkers#AUTO_BITRATE} */
    AudioTranscoder(PayloadFormat from, PayloadFormat to, MediaTransport out, OutboundStream stream, int opusComplexity,
                    int opusBitrate) {
        this.from = from;
        this.to = to;
        this.out = out;
        this.stream = stream;
        this.decoder = from.isOpus() ? new OpusDecoder(RATE) : null;
        this.encoder = to.isOpus() ? new OpusEncoder(RATE, opusComplexity, opusBitrate) : null;
    }

    void onRtp(byte[] b, int off, int len) {
        if (closed) {
            return; // the route was rewired while this packet waited
        }
        int payloadLen = RtpHeader.payloadLength(b, off, len);
        if (payloadLen <= 0) {
            return;
        }
        int payloadOff = off + RtpHeader.headerLength(b, off, len);
        int n;
        if (decoder != null) {
            n = decoder.decode(b, payloadOff, payloadLen, pcm, 0);
            if (n <= 0) {
                return;
            }
        } else {
            n = Math.min(payloadLen, pcm.length);
            G711.decode(b, payloadOff, pcm, 0, n, from.name().equalsIgnoreCase("PCMA"));
        }
        if (encoder == null) {
            G711.encode(pcm, 0, packet, RtpHeader.FIXED_HEADER_LENGTH, n, to.name().equalsIgnoreCase("PCMA"));
            emit(n, n);
            return;
        }
        // Opus takes whole frames: queue the PCM and encode every full 20 ms
        int take = Math.min(n, fifo.length - fifoLen);
        System.arraycopy(pcm, 0, fifo, fifoLen, take);
        fifoLen += take;
        int done = 0;
        while (fifoLen - done >= FRAME) {
            int opusLen = encoder.encode(fifo, done, FRAME, packet, RtpHeader.FIXED_HEADER_LENGTH);
            emit(FRAME * (to.clockRate() / RATE), opusLen);
            done += FRAME;
        }
        System.arraycopy(fifo, done, fifo, 0, fifoLen - done);
        fifoLen -= done;
    }

    /** Sends the payload already in {@code packet} after a fresh header. */
    private void emit(int timestampStep, int payloadLen) {
        long ts = stream.advanceTimestamp(timestampStep);
        RtpHeader.writeFixed(packet, 0, false, to.payloadType(), stream.nextSequence(), ts, stream.ssrc());
        out.sendRtp(packet, 0, RtpHeader.FIXED_HEADER_LENGTH + payloadLen);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (decoder != null) {
            decoder.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }
}
