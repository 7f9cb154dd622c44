package io.srproxy.rtc;

import java.util.List;

/**
 * The RTP header extensions srproxy reads from what a member sends, with the ids its SDP gave
 * them (0: not negotiated): the audio level of RFC 6464 (volume indicator, active speaker) and the
 * RTP stream id of RFC 8852 (which simulcast layer an SSRC carries). {@code rids}: the simulcast
 * layers the member's video was answered with, highest quality first; empty without simulcast.
 */
public record RtpExtensions(int audioLevelId, int ridId, List<String> rids) {

    public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public static final String REPAIRED_RID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

    public static final RtpExtensions NONE = new RtpExtensions(0, 0, List.of());

    public RtpExtensions {
        rids = List.copyOf(rids);
    }

    /** True when the member sends its video as simulcast layers told apart by their rid. */
    public boolean simulcast() {
        return ridId > 0 && rids.size() >= 2;
    }
}
