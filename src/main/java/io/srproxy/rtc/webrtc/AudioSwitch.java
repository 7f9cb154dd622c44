package io.srproxy.rtc.webrtc;

import io.srproxy.rtc.Codec;
import io.srproxy.rtc.MediaKind;
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
    static List<Codec> next(List<Codec> now, List<SdpAnswer.Choice> choices) {
        List<Codec> audio = null;
        for (SdpAnswer.Choice c : choices) {
            if (c.accepted() && c.kind() == MediaKind.AUDIO) {
                audio = c.codecs();
                break;
            }
        }
        Codec was = first(now, MediaKind.AUDIO).orElse(null);
        if (audio == null || audio.isEmpty() || was == null) {
            return null;
        }
        Codec then = audio.get(0);
        if (then.sameFormat(was) && then.payloadType() == was.payloadType()) {
            return null;
        }
        List<Codec> next = new ArrayList<>(audio);
        for (Codec c : now) {
            if (c.kind() != MediaKind.AUDIO) {
                next.add(c);
            }
        }
        return List.copyOf(next);
    }

    static Optional<Codec> first(List<Codec> codecs, MediaKind kind) {
        return codecs.stream().filter(c -> c.kind() == kind).findFirst();
    }
}
