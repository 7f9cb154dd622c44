package io.srproxy.rtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.mixer.ConferenceMixer;
import io.srproxy.rtc.mixer.MixerInput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The audio of a channel with a phone (a plain RTP member) among three or more members: instead
 * of routes to and from the phones, a {@link ConferenceMixer} on the channel's worker takes every
 * member's audio, gives each phone the mix of the others, and each phone's voice to every app
 * that subscribes to it (encoded once per format). The apps' media between themselves stays on
 * the SFU's routes. Built and re-planned under the channel's lock.
 */
final class ConferenceAudio implements AutoCloseable {

    private final ConferenceMixer mixer;
    private final Map<Member, MixerInput> inputs = new HashMap<>();
    /** The codec list each input was built for: a re-offer that switches a member's codec replaces the list. */
    private final Map<Member, List<PayloadFormat>> inputCodecs = new HashMap<>();

    ConferenceAudio(Executor callWorker, TranscodeWorkers workers) {
        mixer = new ConferenceMixer(callWorker, workers.opusComplexity(), workers.opusBitrate());
        mixer.start(workers.mixerClock());
    }

    /** True when this member hears the mix rather than each member (a phone in a group). */
    static boolean hearsMix(Member m) {
        return !m.multistream() && m.transport().plainRtp();
    }

    /** True when the mixer can decode and encode this audio format. */
    static boolean mixes(PayloadFormat c) {
        return ConferenceMixer.supports(c);
    }

    /** Hands the mixer who is in the channel now and who takes which phone. */
    void replan(List<Member> members) {
        inputs.keySet().retainAll(members);
        inputCodecs.keySet().retainAll(members);
        List<ConferenceMixer.Leg> legs = new ArrayList<>();
        List<ConferenceMixer.Forward> forwards = new ArrayList<>();
        for (Member m : members) {
            if (m.transport().preferred(MediaKind.AUDIO).isEmpty()) {
                continue;
            }
            List<PayloadFormat> codecs = m.transport().codecs();
            if (inputCodecs.get(m) != codecs) {
                inputs.put(m, ConferenceMixer.input(m.uid(), codecs));
                inputCodecs.put(m, codecs);
            }
            if (!hearsMix(m)) {
                continue;
            }
            PayloadFormat legCodec = m.transport().preferred(MediaKind.AUDIO).orElseThrow();
            legs.add(new ConferenceMixer.Leg(m.uid(), legCodec, new MixerOutput(m.transport(), m.outbound(MediaKind.AUDIO))));
            for (Member app : members) {
                OutboundStream s = app == m || hearsMix(app) ? null : app.outbound(m.uid(), MediaKind.AUDIO);
                PayloadFormat c = app.transport().preferred(MediaKind.AUDIO).orElse(null);
                if (s != null && c != null) {
                    forwards.add(new ConferenceMixer.Forward(m.uid(), c, new MixerOutput(app.transport(), s)));
                }
            }
        }
        mixer.apply(new ConferenceMixer.Plan(List.copyOf(inputs.values()), legs, forwards));
    }

    /** The member's input to the mixer (what its transport's audio should also reach), or null. */
    PacketHandler inputOf(Member m) {
        return inputs.get(m);
    }

    @Override
    public void close() {
        inputs.clear();
        inputCodecs.clear();
        mixer.close();
    }
}
