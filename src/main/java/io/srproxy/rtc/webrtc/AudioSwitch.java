package io.srproxy.rtc.webrtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A re-offer's answer may move a WebRTC connection's audio to another codec (Opus to the PCMU of a
 * SIP leg that joined later, so the router forwards it): the connection then takes the audio
 * codecs of the answer's first audio m-line (with its telephone-event format) and keeps its video.
 */
final class AudioSwitch {

    private AudioSwitch() {}

    /** The connection's codecs after {@code choices}, or null when its audio codec stays as it is. */
    static List<PayloadFormat> next(List<PayloadFormat> now, List<SdpAnswer.Choice> choices) {
        List<PayloadFormat> audio = null;
        for (SdpAnswer.Choice c : choices) {
            if (c.accepted() && c.kind() == MediaKind.AUDIO) {
                audio = c.codecs();
                break;
            }
        }
        PayloadFormat was = first(now, MediaKind.AUDIO).orElse(null);
        if (audio == null || audio.isEmpty() || was == null) {
            return null;
        }
        PayloadFormat then = audio.get(0);
        if (then.sameFormat(was) && then.payloadType() == was.payloadType()) {
            return null;
        }
        List<PayloadFormat> next = new ArrayList<>(audio);
        for (PayloadFormat c : now) {
            if (c.kind() != MediaKind.AUDIO) {
                next.add(c);
            }
        }
        return List.copyOf(next);
    }

    static Optional<PayloadFormat> first(List<PayloadFormat> codecs, MediaKind kind) {
        return codecs.stream().filter(c -> c.kind() == kind).findFirst();
    }
}
