package io.srproxy.rtc;

import io.srproxy.media.PayloadFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Which audio formats an app's WebRTC leg may take instead of Opus to match the member already in
 * its channel (a SIP leg speaking G.711 or G.722), so that the router forwards the audio instead of
 * transcoding it: {@code [media] passthrough} and the G.711/G.722 entries of {@code [media] codecs}.
 * Browsers offer PCMU, PCMA and G722 besides Opus.
 */
public record PassthroughPolicy(List<String> formats) {

    /** Every app leg speaks Opus; G.711 legs are transcoded. */
    public static final PassthroughPolicy NEVER = new PassthroughPolicy(List.of());

    /** PCMU, PCMA and G.722 pass through. */
    public static final PassthroughPolicy PREFER = new PassthroughPolicy(List.of("PCMU", "PCMA", "G722"));

    public PassthroughPolicy {
        formats = List.copyOf(formats);
    }

    /** {@code prefer}: the configured codecs that can pass through to a browser; else none. */
    public static PassthroughPolicy of(boolean prefer, List<String> codecs) {
        if (!prefer) {
            return NEVER;
        }
        List<String> out = new ArrayList<>();
        for (String c : codecs) {
            if (PREFER.formats.stream().anyMatch(c::equalsIgnoreCase)) {
                out.add(c);
            }
        }
        return new PassthroughPolicy(out);
    }

    /** True when an app leg may take {@code codec} to match another member. */
    public boolean allows(PayloadFormat codec) {
        return (codec.isG711() || codec.isG722()) && formats.stream().anyMatch(codec.name()::equalsIgnoreCase);
    }
}
