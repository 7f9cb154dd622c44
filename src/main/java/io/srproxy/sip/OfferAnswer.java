package io.srproxy.sip;

import io.srproxy.media.PayloadFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 3264 offer/answer for one audio stream, following the configured codec preference
 * ({@code [media] codecs}): PCMU, PCMA, G722, opus, and telephone-event at the chosen codec's rate
 * (or 8 kHz beside Opus when that is all the peer has). G.722 is answered (a browser that joins
 * later takes it too and the audio is forwarded) but never offered: an app calling out already
 * talks Opus, and srproxy has no G.722 transcoder.
 */
public final class OfferAnswer {

    private final List<PayloadFormat> preference;

    /** {@code preference} in order, e.g. [opus, PCMU, PCMA]; unknown names are rejected by the caller. */
    public OfferAnswer(List<PayloadFormat> preference) {
        if (preference.isEmpty()) {
            throw new IllegalArgumentException("no codec configured for SIP media");
        }
        this.preference = List.copyOf(preference);
    }

    /**
     * The same negotiation over {@code allowed} formats only: those of our preference in its order,
     * else {@code allowed} in the order given (a call that must speak G.711 when the configured
     * codecs put Opus or G.722 first, or lack G.711).
     */
    public OfferAnswer narrowedTo(List<PayloadFormat> allowed) {
        List<PayloadFormat> kept = new ArrayList<>(preference);
        kept.removeIf(c -> allowed.stream().noneMatch(c::sameFormat));
        return new OfferAnswer(kept.isEmpty() ? allowed : kept);
    }

    /** The audio formats we take, in order of preference. */
    public List<PayloadFormat> preference() {
        return preference;
    }

    public static OfferAnswer fromConfig(List<String> names) {
        List<PayloadFormat> codecs = new ArrayList<>();
        for (String n : names) {
            PayloadFormat c = PayloadFormat.named(n);
            if (c == null) {
                throw new IllegalArgumentException("[media] codecs: unsupported codec '" + n + "' (use opus, PCMU, PCMA, G722)");
            }
            codecs.add(c);
        }
        return new OfferAnswer(codecs);
    }

    /**
     * The formats we offer: our codecs but G.722 (see above), then telephone-event for 8 kHz and,
     * with opus, 48 kHz.
     */
    public List<PayloadFormat> offerCodecs() {
        List<PayloadFormat> out = new ArrayList<>(preference);
        out.removeIf(c -> c.sameFormat(PayloadFormat.G722));
        if (out.isEmpty()) {
            out.add(PayloadFormat.PCMU); // G.722 alone configured: offer what an app's Opus can be transcoded to
        }
        out.add(PayloadFormat.TELEPHONE_EVENT_8K);
        if (preference.stream().anyMatch(c -> c.clockRate() == 48000)) {
            out.add(PayloadFormat.TELEPHONE_EVENT_48K);
        }
        return out;
    }

    /**
     * Our choice for a remote description: when answering, the first codec of our preference the
     * offer holds (with the offer's payload type); when reading an answer, its first codec we know.
     */
    public NegotiatedMedia negotiate(MediaDescription remote, MediaDirection ours, boolean remoteIsOffer)
            throws SdpException {
        return negotiate(remote, ours, remoteIsOffer, null);
    }

    /**
     * An answer to a re-INVITE's offer: the codec in use when the offer still holds it (the other
     * leg may forward it as it is, and switching would need a transcoder we may not have), else as
     * {@link #negotiate}.
     */
    public NegotiatedMedia renegotiate(MediaDescription offer, MediaDirection ours, PayloadFormat current) throws SdpException {
        return negotiate(offer, ours, true, current);
    }

    private NegotiatedMedia negotiate(MediaDescription remote, MediaDirection ours, boolean remoteIsOffer, PayloadFormat keep)
            throws SdpException {
        PayloadFormat audio = keep != null ? sameIn(keep, remote.codecs()) : null;
        if (audio == null) {
            audio = remoteIsOffer ? preferredIn(remote.codecs()) : firstKnown(remote.codecs());
        }
        if (audio == null) {
            throw new SdpException(488, "no common codec: offered " + names(remote.codecs()) + ", we accept " + names(preference));
        }
        PayloadFormat te = telephoneEventFor(audio, remote.codecs());
        MediaDirection local = remoteIsOffer ? remote.effectiveDirection().answerTo(ours) : ours;
        return new NegotiatedMedia(audio, te, remote.ptime(), local, remote);
    }

    /**
     * The telephone-event at the audio codec's clock; else, for Opus, the 8 kHz one, which is all
     * many phones (baresip among them) offer beside Opus: their events keep the audio's timestamps
     * and count their duration in 8 kHz units.
     */
    private static PayloadFormat telephoneEventFor(PayloadFormat audio, List<PayloadFormat> remote) {
        PayloadFormat fallback = null;
        for (PayloadFormat c : remote) {
            if (c.isTelephoneEvent() && c.clockRate() == audio.clockRate()) {
                return c;
            }
            if (c.isTelephoneEvent() && c.clockRate() == 8000 && fallback == null) {
                fallback = c;
            }
        }
        return fallback;
    }

    /** The formats our answer lists: the chosen codec and its telephone-event. */
    public static List<PayloadFormat> answerCodecs(NegotiatedMedia media) {
        return media.telephoneEvent() == null ? List.of(media.audio()) : List.of(media.audio(), media.telephoneEvent());
    }

    private static PayloadFormat sameIn(PayloadFormat want, List<PayloadFormat> offered) {
        for (PayloadFormat c : offered) {
            if (c.sameFormat(want)) {
                return c;
            }
        }
        return null;
    }

    private PayloadFormat preferredIn(List<PayloadFormat> offered) {
        for (PayloadFormat want : preference) {
            for (PayloadFormat c : offered) {
                if (c.sameFormat(want)) {
                    return c;
                }
            }
        }
        return null;
    }

    private PayloadFormat firstKnown(List<PayloadFormat> answered) {
        for (PayloadFormat c : answered) {
            if (!c.isTelephoneEvent() && offerCodecs().stream().anyMatch(c::sameFormat)) {
                return c;
            }
        }
        return null;
    }

    private static String names(List<PayloadFormat> codecs) {
        return codecs.stream().map(c -> c.name() + "/" + c.clockRate()).toList().toString();
    }
}
