package io.srproxy.rtc.webrtc;

import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.AdvertisedAddresses;
import io.srproxy.rtc.RtcException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Accepts browsers' offers on the shared port: makes a {@link WebRtcTransport} with fresh ICE
 * credentials and SSRCs, registers it with the mux, and writes the answer.
 *
 * <p>BouncyCastle's DTLS handshake blocks a thread, so handshakes run on a small fixed pool and
 * each join holds a handshake slot until its DTLS is up, failed, or abandoned (the mux's sweep ends
 * a join whose DTLS is not up within the timeout). At most {@code maxPendingHandshakes} slots are
 * held; a join beyond that is refused with "server-busy", so a stranger cannot make us hold
 * threads or sessions without bound.
 */
public final class WebRtcEndpoint implements AutoCloseable {

    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /** The answer to an offer and the session it made. */
    public record Accepted(WebRtcTransport transport, String answerSdp) {}

    private final UdpMux mux;
    private final String advertisedIp;
    private final int dtlsTimeoutMillis;
    private final SecureRandom random = new SecureRandom();
    private final BcTlsCrypto crypto = new BcTlsCrypto(random);
    private final DtlsCertificate identity = DtlsCertificate.generate(crypto, "srproxy");
    private final ThreadPoolExecutor handshakes;
    private final int maxPendingHandshakes;
    private final AtomicInteger pendingHandshakes = new AtomicInteger();

    /** Joins that may wait for DTLS at once, unless told otherwise. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 1000;

    /** Handshake threads: a handshake mostly waits for the network, so a few per core keep up. */
    public static int defaultHandshakeThreads() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    public WebRtcEndpoint(UdpMux mux, String advertisedIp, int dtlsTimeoutMillis) {
        this(mux, advertisedIp, dtlsTimeoutMillis, defaultHandshakeThreads(), DEFAULT_MAX_PENDING_HANDSHAKES);
    }

    public WebRtcEndpoint(UdpMux mux, String advertisedIp, int dtlsTimeoutMillis, int handshakeThreads,
                          int maxPendingHandshakes) {
        this.mux = mux;
        this.advertisedIp = advertisedIp;
        this.dtlsTimeoutMillis = dtlsTimeoutMillis;
        this.maxPendingHandshakes = maxPendingHandshakes;
        AtomicInteger n = new AtomicInteger();
        // each slot submits at most one task, so the queue never holds more than the slots
        this.handshakes = new ThreadPoolExecutor(handshakeThreads, handshakeThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(maxPendingHandshakes), r -> {
                    Thread t = new Thread(r, "rtc-dtls-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        handshakes.allowCoreThreadTimeOut(true); // idle, it holds no thread
    }

    /** Joins whose DTLS is not up yet (each holds a handshake slot). */
    public int pendingHandshakes() {
        return pendingHandshakes.get();
    }

    /** Threads the handshake pool holds now (at most the configured few). */
    public int handshakeThreads() {
        return handshakes.getPoolSize();
    }

    /** Our certificate's SHA-256 fingerprint, as put in every answer. */
    public String fingerprint() {
        return identity.fingerprint();
    }

    public UdpMux mux() {
        return mux;
    }

    /** Parses the offer, negotiates, and starts the session; throws RtcException "bad-sdp". */
    public Accepted accept(String offerSdp, WebRtcTransport.StateListener listener) {
        return accept(offerSdp, listener, AdvertisedAddresses.parse(advertisedIp));
    }

    /** As above, advertising {@code addresses} in the answer (the first in c=, each a host candidate). */
    public Accepted accept(String offerSdp, WebRtcTransport.StateListener listener, List<String> addresses) {
        return accept(offerSdp, listener, addresses, List.of(), false);
    }

    /**
     * As above, answering audio with the first of {@code audioToMatch} the offer holds (G.711 or
     * G.722 a SIP leg speaks, forwarded as it is), else Opus; {@code multistream}: the client takes
     * other members' media on m-lines it adds by renegotiating ({@link #renegotiate}), so its first
     * audio and video m-lines only carry what it publishes.
     */
    public Accepted accept(String offerSdp, WebRtcTransport.StateListener listener, List<String> addresses,
                           List<PayloadFormat> audioToMatch, boolean multistream) {
        SdpOffer offer = SdpOffer.parse(offerSdp);
        if (pendingHandshakes.incrementAndGet() > maxPendingHandshakes) {
            pendingHandshakes.decrementAndGet();
            throw new RtcException("server-busy", "srproxy has " + maxPendingHandshakes
                    + " WebRTC handshakes in progress, its limit; try again shortly");
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                pendingHandshakes.decrementAndGet();
            }
        };
        try {
            return acceptWithSlot(offer, listener, addresses, audioToMatch, release, multistream);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private Accepted acceptWithSlot(SdpOffer offer, WebRtcTransport.StateListener listener, List<String> addresses,
                                    List<PayloadFormat> audioToMatch, Runnable releaseSlot, boolean multistream) {
        List<SdpAnswer.Choice> choices = multistream ? SdpAnswer.negotiateMultistream(offer, java.util.Map.of(), audioToMatch)
                : SdpAnswer.negotiate(offer, audioToMatch);
        List<PayloadFormat> codecs = new ArrayList<>();
        java.util.Set<io.srproxy.media.MediaKind> kinds = java.util.EnumSet.noneOf(io.srproxy.media.MediaKind.class);
        for (SdpAnswer.Choice c : choices) {
            if (c.accepted() && kinds.add(c.kind())) {
                codecs.addAll(c.codecs()); // the first line of each kind sets the connection's codecs
            }
        }
        long audioSsrc = ssrc();
        long videoSsrc = ssrc();
        while (videoSsrc == audioSsrc) {
            videoSsrc = ssrc();
        }
        WebRtcTransport.Handshake handshake = new WebRtcTransport.Handshake(handshakes, crypto, identity,
                dtlsTimeoutMillis, releaseSlot);
        WebRtcTransport t = null;
        for (int attempt = 0; t == null; attempt++) {
            WebRtcTransport candidate = new WebRtcTransport(mux, token(8), token(24), offer.iceUfrag(),
                    offer.fingerprintSha256(), codecs, audioSsrc, videoSsrc, listener, handshake);
            try {
                mux.register(candidate);
                t = candidate;
            } catch (IllegalStateException collision) {
                if (attempt > 3) {
                    throw collision;
                }
            }
        }
        t.setReceivedExtensions(SdpAnswer.receivedExtensions(choices));
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local(t.localUfrag(), t.localPwd(),
                identity.fingerprint(), addresses, mux.port(), audioSsrc, videoSsrc, "srproxy"), t.sdpSessionId(), 2);
        return new Accepted(t, answer);
    }

    /**
     * Answers a multistream client's new offer on its existing connection: the same ICE
     * credentials and DTLS fingerprint (no ICE restart, no new DTLS), the m-lines in
     * {@code sending} carrying other members' media with the codecs and payload types the join
     * negotiated. Throws "bad-sdp" naming what does not fit.
     */
    public String renegotiate(WebRtcTransport t, String offerSdp, java.util.Map<String, SdpAnswer.Send> sending,
                              List<String> addresses) {
        return renegotiate(t, offerSdp, sending, addresses, List.of(), true).answerSdp();
    }

    /** A re-offer's answer; {@code audioSwitched}: the connection's audio codec changed (its routes must be rebuilt). */
    public record Renegotiated(String answerSdp, boolean audioSwitched) {}

    /**
     * As above, and the audio may switch codec: every audio m-line takes the first of
     * {@code audioToMatch} the offer has (a SIP leg's G.711 or G.722 that joined after this client,
     * so that its audio is forwarded instead of transcoded), else the join's codec. A single-stream
     * client ({@code multistream} false) re-offers its two m-lines only to switch codec; they are
     * answered as at the join. On a switch the transport's codecs are replaced before the answer
     * leaves, so srproxy sends the new codec at once (the offerer already decodes every format it
     * offered) and takes it as soon as the browser has the answer.
     */
    public Renegotiated renegotiate(WebRtcTransport t, String offerSdp, java.util.Map<String, SdpAnswer.Send> sending,
                                    List<String> addresses, List<PayloadFormat> audioToMatch, boolean multistream) {
        SdpOffer offer = SdpOffer.parse(offerSdp);
        if (!offer.iceUfrag().equals(t.remoteUfrag())) {
            throw new RtcException("bad-sdp", "the offer changes the ICE credentials; ICE restarts are not supported (join again)");
        }
        if (!offer.fingerprintSha256().equals(t.remoteFingerprint())) {
            throw new RtcException("bad-sdp", "the offer changes the DTLS fingerprint; join again instead");
        }
        // subscriptions carry the join's audio codec: Opus, or the G.711/G.722 passed through
        List<PayloadFormat> joinedAudio = new ArrayList<>(audioToMatch);
        t.preferred(io.srproxy.media.MediaKind.AUDIO).ifPresent(joinedAudio::add);
        List<SdpAnswer.Choice> choices = multistream ? SdpAnswer.negotiateMultistream(offer, sending, joinedAudio)
                : SdpAnswer.negotiate(offer, joinedAudio);
        List<PayloadFormat> switched = AudioSwitch.next(t.codecs(), choices);
        List<PayloadFormat> after = switched != null ? switched : t.codecs();
        java.util.Set<String> mids = new java.util.HashSet<>();
        for (SdpAnswer.Choice c : choices) {
            mids.add(c.media().mid());
            if (!c.accepted() || c.send() == null) {
                continue;
            }
            PayloadFormat wanted = c.codecs().get(0);
            PayloadFormat joined = AudioSwitch.first(after, c.kind()).orElseThrow(() -> new RtcException("bad-sdp", "m-line "
                    + c.media().mid() + " asks for " + c.kind().sdpName() + ", which the join did not negotiate"));
            if (wanted.payloadType() != joined.payloadType() || !wanted.sameFormat(joined)) {
                throw new RtcException("bad-sdp", "m-line " + c.media().mid() + " offers " + wanted.name() + "/"
                        + wanted.payloadType() + "; subscriptions use the join's " + joined.name() + "/" + joined.payloadType());
            }
        }
        for (String mid : sending.keySet()) {
            if (!mids.contains(mid)) {
                throw new RtcException("bad-sdp", "the offer has no m-line " + mid + " for its subscription");
            }
        }
        if (switched != null) {
            t.switchCodecs(switched);
        }
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local(t.localUfrag(), t.localPwd(), identity.fingerprint(),
                addresses, mux.port(), t.sendSsrc(io.srproxy.media.MediaKind.AUDIO),
                t.sendSsrc(io.srproxy.media.MediaKind.VIDEO), "srproxy"), t.sdpSessionId(), t.nextSdpVersion());
        t.setReceivedExtensions(SdpAnswer.receivedExtensions(choices));
        return new Renegotiated(answer, switched != null);
    }

    private String token(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length())));
        }
        return s.toString();
    }

    private long ssrc() {
        long v;
        do {
            v = random.nextInt() & 0xFFFFFFFFL;
        } while (v == 0);
        return v;
    }

    @Override
    public void close() {
        handshakes.shutdownNow();
    }
}
