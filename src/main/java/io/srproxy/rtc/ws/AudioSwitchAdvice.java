package io.srproxy.rtc.ws;

import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.webrtc.SdpOffer;
import java.util.List;
import java.util.Optional;

/**
 * For a client that joined with {@code "codecSwitch":true}: when another member speaks a format
 * the client offered at its join but the client's audio is another (it joined with Opus before a
 * SIP leg answered with PCMU), the client is asked once per format to re-offer, and the answer
 * switches its audio to that format so the router forwards instead of transcoding.
 */
final class AudioSwitchAdvice {

    private final List<SdpOffer.Format> offered;
    private String suggested;

    private AudioSwitchAdvice(List<SdpOffer.Format> offered) {
        this.offered = offered;
    }

    /** From the join's offer (already accepted, so it parses): its first audio m-line's formats. */
    static AudioSwitchAdvice of(String joinOffer) {
        List<SdpOffer.Format> formats = SdpOffer.parse(joinOffer).media().stream()
                .filter(m -> m.type().equals("audio") && m.port() != 0)
                .findFirst().map(SdpOffer.Media::formats).orElse(List.of());
        return new AudioSwitchAdvice(formats);
    }

    /**
     * The format to ask the client to switch to now, or null: the first of {@code toMatch} (what
     * the other members send, passthrough allowing) it offered, when its audio is not that already
     * and it was not asked for that one before.
     */
    String next(List<PayloadFormat> toMatch, Optional<PayloadFormat> current) {
        for (PayloadFormat want : toMatch) {
            if (current.isPresent() && current.get().name().equalsIgnoreCase(want.name())
                    && current.get().clockRate() == want.clockRate()) {
                return null; // already passed through
            }
            boolean isOffered = offered.stream().anyMatch(f -> f.name().equalsIgnoreCase(want.name())
                    && f.clockRate() == want.clockRate());
            if (isOffered) {
                if (want.name().equalsIgnoreCase(suggested)) {
                    return null;
                }
                suggested = want.name();
                return want.name();
            }
        }
        return null;
    }
}
