package io.srproxy.rtc.webrtc;

import io.srproxy.rtc.AdvertisedAddresses;
import io.srproxy.rtc.Codec;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Accepts browsers' offers on the shared port: makes a {@link WebRtcTransport} with fresh ICE
 * credentials and SSRCs, registers it with the mux, starts its DTLS handshake, and writes the answer.
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
    private final ExecutorService handshakes;

    public WebRtcEndpoint(UdpMux mux, String advertisedIp, int dtlsTimeoutMillis) {
        this.mux = mux;
        this.advertisedIp = advertisedIp;
        this.dtlsTimeoutMillis = dtlsTimeoutMillis;
        AtomicInteger n = new AtomicInteger();
        this.handshakes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "rtc-dtls-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
        SdpOffer offer = SdpOffer.parse(offerSdp);
        List<SdpAnswer.Choice> choices = SdpAnswer.negotiate(offer);
        List<Codec> codecs = new ArrayList<>();
        for (SdpAnswer.Choice c : choices) {
            codecs.addAll(c.codecs());
        }
        long audioSsrc = ssrc();
        long videoSsrc = ssrc();
        while (videoSsrc == audioSsrc) {
            videoSsrc = ssrc();
        }
        WebRtcTransport t = null;
        for (int attempt = 0; t == null; attempt++) {
            WebRtcTransport candidate = new WebRtcTransport(mux, token(8), token(24), offer.iceUfrag(),
                    offer.fingerprintSha256(), codecs, audioSsrc, videoSsrc, listener);
            try {
                mux.register(candidate);
                t = candidate;
            } catch (IllegalStateException collision) {
                if (attempt > 3) {
                    throw collision;
                }
            }
        }
        String answer = SdpAnswer.write(choices, new SdpAnswer.Local(t.localUfrag(), t.localPwd(),
                identity.fingerprint(), addresses, mux.port(), audioSsrc, videoSsrc, "srproxy"));
        t.startDtls(handshakes, crypto, identity, dtlsTimeoutMillis);
        return new Accepted(t, answer);
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
