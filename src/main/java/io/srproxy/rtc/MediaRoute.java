package io.srproxy.rtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import java.util.concurrent.Executor;

/**
 * Media from one member to one other, fed by the sender's {@link Fanout}. Same codec: rewrite the
 * header into the receiver's continuous stream and send on, in place. Different audio codecs:
 * transcode, and re-time DTMF telephone-events into the receiver's stream. Either stream may be
 * absent (the receiver does not subscribe to that kind): those packets are not taken. Feedback
 * from the receiver about its stream (PLI, FIR, NACK) reaches the route through the receiver's
 * fanout and goes to the source, NACKs mapped back to the source's sequence numbers.
 *
 * <p>Forwarding runs inline on the I/O thread that received the packet, with per payload type
 * tables built here, so it allocates nothing. A route that transcodes hands all its audio
 * (transcoded, forwarded and events alike, so the receiver's audio stream keeps one writer) to its
 * call's worker through an {@link AudioWorker}; its video still forwards inline.
 */
final class MediaRoute implements AutoCloseable {

    static final int PT_RTPFB = 205;
    static final int FMT_NACK = 1;
    static final int PT_PSFB = 206;
    static final int FMT_PLI = 1;
    static final int FMT_FIR = 4;

    private final Member from;
    private final Member to;
    private final PayloadFormat[] fromCodecs = new PayloadFormat[128];
    /** Per source payload type: the receiver's stream it continues (audio or video), else null. */
    private final OutboundStream[] streams = new OutboundStream[128];
    private final boolean[] isAudio = new boolean[128];
    private final int[] payloadTypeMap = new int[128];
    private final boolean[] takes = new boolean[128];
    private final OutboundStream audio;
    private final OutboundStream video;
    private final AudioTranscoder transcoder;
    private final AudioWorker worker;
    private final int transcodedPayloadType;
    private final boolean forwardsAudio;
    private final int[] relayedEventRate = new int[128];
    private final TelephoneEventRelay events;
    private final byte[] feedback = new byte[20 + MediaTransport.TRAILER_ROOM];
    private final byte[] nack = new byte[256 + MediaTransport.TRAILER_ROOM];
    private int firSequence;
    /** The two transports' codec lists this route was built for (a renegotiation replaces a list). */
    private final java.util.List<PayloadFormat> builtFrom;
    private final java.util.List<PayloadFormat> builtTo;
    /** Simulcast: the sender's layers; the layer this receiver wants (signalling) and gets (I/O thread). */
    private final SimulcastLayers layers;
    private volatile int targetLayer;
    private int currentLayer = -1;
    private final int[] videoCodecType = new int[128];
    /** Video packets seen since this route started waiting for a key frame (a PLI every ASK_EVERY). */
    private int waited;
    private boolean keyFrameAsked;
    private static final int ASK_EVERY = 150;
    /** The receiver negotiated no header extensions (a SIP leg): the sender's are removed. */
    private final boolean stripExtensions;

    /** A single-stream receiver's route: its one audio and one video stream; transcoding inline (tests). */
    MediaRoute(Member from, Member to) {
        this(from, to, to.outbound(MediaKind.AUDIO), to.outbound(MediaKind.VIDEO), TranscodeWorkers.inline(), null);
    }

    /** As below, transcoding inline on the receiving thread (tests). */
    MediaRoute(Member from, Member to, OutboundStream audio, OutboundStream video) {
        this(from, to, audio, video, TranscodeWorkers.inline(), null);
    }

    /**
     * @param audio the receiver's stream for the sender's audio, or null; {@code video} likewise
     * @param call  the call's serial executor on {@code workers} for transcoding (null: a fresh one)
     */
    MediaRoute(Member from, Member to, OutboundStream audio, OutboundStream video, TranscodeWorkers workers, Executor call) {
        this.from = from;
        this.to = to;
        MediaTransport out = to.transport();
        this.builtFrom = from.transport().codecs();
        this.builtTo = out.codecs();
        this.audio = audio;
        this.video = video;
        this.layers = from.simulcast();
        this.stripExtensions = !out.takesHeaderExtensions();
        this.targetLayer = to.videoLayer(from.uid());
        java.util.Arrays.fill(payloadTypeMap, -1);
        for (PayloadFormat c : from.transport().codecs()) {
            if ((c.kind() == MediaKind.AUDIO ? audio : video) == null) {
                continue; // not taken
            }
            fromCodecs[c.payloadType() & 0x7F] = c;
            isAudio[c.payloadType() & 0x7F] = c.kind() == MediaKind.AUDIO;
            videoCodecType[c.payloadType() & 0x7F] = c.kind() == MediaKind.VIDEO ? VideoKeyFrames.codecType(c) : 0;
            streams[c.payloadType() & 0x7F] = c.kind() == MediaKind.AUDIO ? audio : video;
            for (PayloadFormat d : out.codecs()) {
                if (c.sameFormat(d) && payloadTypeMap[c.payloadType() & 0x7F] < 0) {
                    payloadTypeMap[c.payloadType() & 0x7F] = d.payloadType();
                }
            }
        }
        AudioTranscoder t = null;
        int tpt = -1;
        PayloadFormat sent = from.transport().preferred(MediaKind.AUDIO).orElse(null);
        PayloadFormat wanted = out.preferred(MediaKind.AUDIO).orElse(null);
        if (audio != null && sent != null && wanted != null && payloadTypeMap[sent.payloadType() & 0x7F] < 0
                && AudioTranscoder.supports(sent, wanted)) {
            t = new AudioTranscoder(sent, wanted, out, audio, workers.opusComplexity(), workers.opusBitrate());
            tpt = sent.payloadType();
        }
        transcoder = t;
        transcodedPayloadType = tpt;
        forwardsAudio = audio != null && sent != null && payloadTypeMap[sent.payloadType() & 0x7F] >= 0;
        if (audio != null && sent != null && wanted != null && !forwardsAudio && t == null) {
            org.slf4j.LoggerFactory.getLogger(MediaRoute.class).warn("no audio from {} to {}: srproxy cannot transcode {} to {}",
                    from.uid(), to.uid(), sent.name(), wanted.name());
        }
        worker = t == null ? null
                : new AudioWorker(call != null ? call : workers.newCall(), workers, this::routeRtp);
        events = audio == null ? null : eventRelay(out);
        for (int pt = 0; pt < 128; pt++) {
            takes[pt] = fromCodecs[pt] != null
                    && (payloadTypeMap[pt] >= 0 || pt == transcodedPayloadType || relayedEventRate[pt] > 0);
        }
    }

    Member from() {
        return from;
    }

    Member to() {
        return to;
    }

    /** The receiver's streams this route feeds (null when not taken): a route is re-used while they stay. */
    OutboundStream audio() {
        return audio;
    }

    OutboundStream video() {
        return video;
    }

    /** True while both members have the codecs this route was built for (else it is rebuilt). */
    boolean codecsCurrent() {
        return from.transport().codecs() == builtFrom && to.transport().codecs() == builtTo;
    }

    /** True when a packet of this payload type from the sender goes somewhere on this route. */
    boolean takes(int payloadType) {
        return takes[payloadType & 0x7F];
    }

    /** The SSRC the receiver knows our video of the sender by (its feedback names it), or -1. */
    long videoSsrc() {
        return video == null ? -1 : video.ssrc();
    }

    /**
     * Telephone-events forward like audio when the audio forwards and the receiver has the same
     * event format; otherwise (transcoded audio, other event clock) they are re-timed into the
     * receiver's stream. Null when nothing needs re-timing or the receiver takes no events.
     */
    private TelephoneEventRelay eventRelay(MediaTransport out) {
        PayloadFormat target = null;
        for (PayloadFormat d : out.codecs()) {
            if (d.isTelephoneEvent() && (target == null || d.clockRate() == audio.clockRate())) {
                target = d;
            }
        }
        boolean any = false;
        for (PayloadFormat c : from.transport().codecs()) {
            int pt = c.payloadType() & 0x7F;
            if (c.isTelephoneEvent() && target != null && (transcoder != null || payloadTypeMap[pt] < 0)) {
                payloadTypeMap[pt] = -1;
                relayedEventRate[pt] = c.clockRate();
                any = true;
            }
        }
        return any ? new TelephoneEventRelay(target, out, audio) : null;
    }

    boolean transcodes() {
        return transcoder != null;
    }

    /** True when the sender's audio goes to the receiver as it is (same format both sides). */
    boolean forwardsAudio() {
        return forwardsAudio;
    }

    /** A packet from the sender; rewritten in place and sent (the caller passes a copy when it fans out). */
    void onRtp(byte[] b, int off, int len) {
        int pt = RtpHeader.payloadType(b, off);
        if (fromCodecs[pt] == null) {
            return; // a payload type we did not negotiate
        }
        if (worker != null && isAudio[pt]) {
            worker.offer(b, off, len);
        } else {
            routeRtp(b, off, len);
        }
    }

    /** Forwards, transcodes or re-times one packet (on the I/O thread, or on the call's worker). */
    private void routeRtp(byte[] b, int off, int len) {
        int pt = RtpHeader.payloadType(b, off);
        int outPt = payloadTypeMap[pt];
        if (outPt >= 0) {
            if (streams[pt] == video && !admitVideo(b, off, len, pt)) {
                return;
            }
            streams[pt].rewrite(b, off, outPt);
            // video: the only extensions a sender's video has are the sdes:mid and rtp-stream-id
            // srproxy answered it, which name the sender's m-line and layer; a receiver that
            // negotiated sdes:mid itself would route the packet by that foreign mid and drop it
            if (stripExtensions || streams[pt] == video) {
                len = RtpHeader.removeExtension(b, off, len);
            }
            to.transport().sendRtp(b, off, len);
        } else if (pt == transcodedPayloadType) {
            transcoder.onRtp(b, off, len);
        } else if (relayedEventRate[pt] > 0) {
            events.onRtp(b, off, len, relayedEventRate[pt]);
        }
    }

    /**
     * Whether a video packet goes on (on the sender's I/O thread). The first one asks the sender
     * for a key frame, so a new subscriber's video starts at once. With simulcast, only the
     * receiver's layer goes on, and a switch to the other layer waits for that layer's key frame
     * (asked for, and asked again every {@link #ASK_EVERY} packets while it does not come); the
     * stream's SSRC, sequence numbers and timestamps continue across the switch
     * ({@link OutboundStream}).
     */
    private boolean admitVideo(byte[] b, int off, int len, int pt) {
        long ssrc = RtpHeader.ssrc(b, off);
        if (!layers.active()) {
            if (!keyFrameAsked) {
                keyFrameAsked = true;
                requestKeyFrame(ssrc, false);
            }
            return true;
        }
        int layer = layers.layerOf(ssrc);
        if (layer < 0) {
            return false; // its rid not seen yet
        }
        int target = targetLayer;
        if (currentLayer == target) {
            return layer == target; // settled: the other layer is dropped
        }
        // the wanted layer, or any layer to start with while the wanted one has not shown up
        boolean wanted = layer == target || (currentLayer < 0 && layers.ssrc(target) < 0);
        if (wanted && layer != currentLayer && VideoKeyFrames.startsKeyFrame(videoCodecType[pt], b, off, len)) {
            currentLayer = layer;
            waited = 0;
            return true;
        }
        if (waited++ % ASK_EVERY == 0) {
            long want = layers.ssrc(target);
            if (want >= 0) {
                requestKeyFrame(want, false);
            } else if (currentLayer < 0) {
                requestKeyFrame(ssrc, false);
            }
        }
        return layer == currentLayer;
    }

    /** The receiver's choice of the sender's simulcast layer (signalling thread); asks for its key frame. */
    void selectLayer(int layer) {
        targetLayer = layer;
        long want = layers.ssrc(layer);
        if (want >= 0 && layer != currentLayer) {
            requestKeyFrame(want, false);
        }
    }

    /**
     * Passes a receiver's generic NACK (RFC 4585 6.2.1) about our video stream on to this route's
     * source, rewritten into the source's SSRC and sequence numbers (FCI: PID + BLP, 4 bytes each).
     */
    synchronized void passNack(byte[] b, int p, int len) {
        long media = video == null ? -1 : video.sourceSsrc();
        if (media < 0 || len > 256) {
            return;
        }
        byte[] out = nack;
        System.arraycopy(b, p, out, 0, len);
        RtpHeader.writeUint32(out, 4, from.transport().sendSsrc(MediaKind.VIDEO));
        RtpHeader.writeUint32(out, 8, media);
        for (int f = 12; f + 4 <= len; f += 4) {
            int pid = ((out[f] & 0xFF) << 8) | (out[f + 1] & 0xFF);
            int src = video.sourceSequence(pid);
            out[f] = (byte) (src >>> 8);
            out[f + 1] = (byte) src;
        }
        from.transport().sendRtcp(out, 0, len);
    }

    /** Asks this route's source for a key frame of the video it is sending us. */
    void requestKeyFrame(boolean fir) {
        requestKeyFrame(video == null ? -1 : video.sourceSsrc(), fir);
    }

    /** Asks this route's source for a key frame of its video stream {@code media}. */
    synchronized void requestKeyFrame(long media, boolean fir) {
        if (media < 0) {
            return;
        }
        long sender = from.transport().sendSsrc(MediaKind.VIDEO);
        int len;
        if (fir) {
            // RFC 5104 FIR: media source 0, FCI = SSRC + command sequence number
            feedback[0] = (byte) (0x80 | FMT_FIR);
            feedback[1] = (byte) PT_PSFB;
            feedback[2] = 0;
            feedback[3] = 4;
            RtpHeader.writeUint32(feedback, 4, sender);
            RtpHeader.writeUint32(feedback, 8, 0);
            RtpHeader.writeUint32(feedback, 12, media);
            feedback[16] = (byte) (++firSequence);
            feedback[17] = feedback[18] = feedback[19] = 0;
            len = 20;
        } else {
            feedback[0] = (byte) (0x80 | FMT_PLI);
            feedback[1] = (byte) PT_PSFB;
            feedback[2] = 0;
            feedback[3] = 2;
            RtpHeader.writeUint32(feedback, 4, sender);
            RtpHeader.writeUint32(feedback, 8, media);
            len = 12;
        }
        from.transport().sendRtcp(feedback, 0, len);
    }

    /** Detached already: the transcoder is freed on the call's worker after the frames queued. */
    @Override
    public void close() {
        if (worker != null) {
            worker.close(transcoder::close);
        }
    }
}
