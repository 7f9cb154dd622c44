package io.srproxy.media;

import java.util.Locale;

/**
 * One RTP payload format as an SDP m-line negotiates it: payload type (on this transport),
 * encoding name, RTP clock rate, channels, and the fmtp parameters ("" when none). The one type
 * for SIP's offer/answer, the channel members' codecs and the codecs themselves. Equality is the
 * record's, every field counted; {@link #sameFormat} compares the encoding only.
 */
public record PayloadFormat(int payloadType, String name, int clockRate, int channels, String fmtp) {

    public PayloadFormat {
        if (name == null) {
            throw new IllegalArgumentException("a payload format needs an encoding name");
        }
        fmtp = fmtp == null ? "" : fmtp;
    }

    public static final PayloadFormat PCMU = new PayloadFormat(0, "PCMU", 8000, 1, "");
    public static final PayloadFormat PCMA = new PayloadFormat(8, "PCMA", 8000, 1, "");
    /** G.722: 16 kHz audio, but an RTP clock of 8000 (RFC 3551 4.5.2), as its rtpmap says. */
    public static final PayloadFormat G722 = new PayloadFormat(9, "G722", 8000, 1, "");
    /** Opus as srproxy offers it to SIP (its usual dynamic payload type; the SDP writer adds the fmtp). */
    public static final PayloadFormat OPUS = new PayloadFormat(111, "opus", 48000, 2, "");
    public static final PayloadFormat TELEPHONE_EVENT_8K = new PayloadFormat(101, "telephone-event", 8000, 1, "");
    public static final PayloadFormat TELEPHONE_EVENT_48K = new PayloadFormat(102, "telephone-event", 48000, 1, "");

    /** Opus on payload type {@code pt} with the fmtp srproxy answers browsers with. */
    public static PayloadFormat opus(int pt) {
        return new PayloadFormat(pt, "opus", 48000, 2, "minptime=10;useinbandfec=1");
    }

    /** The format of a configured name ({@code [media] codecs}), or null when it is not supported. */
    public static PayloadFormat named(String configured) {
        return switch (configured.trim().toLowerCase(Locale.ROOT)) {
            case "pcmu" -> PCMU;
            case "pcma" -> PCMA;
            case "opus" -> OPUS;
            case "g722" -> G722;
            default -> null;
        };
    }

    /** This format with other fmtp parameters. */
    public PayloadFormat withFmtp(String parameters) {
        return new PayloadFormat(payloadType, name, clockRate, channels, parameters);
    }

    /** Audio or video; compares without allocating, since routes ask it per packet. */
    public MediaKind kind() {
        return name.equalsIgnoreCase("VP8") || name.equalsIgnoreCase("VP9") || name.equalsIgnoreCase("H264")
                || name.equalsIgnoreCase("AV1") ? MediaKind.VIDEO : MediaKind.AUDIO;
    }

    /** Same encoding (payload types may differ between transports; names compare case-insensitively). */
    public boolean sameFormat(PayloadFormat other) {
        return name.equalsIgnoreCase(other.name) && clockRate == other.clockRate;
    }

    public boolean isOpus() {
        return name.equalsIgnoreCase("opus");
    }

    /** An RFC 4733 telephone-event format: DTMF as events, not as audio. */
    public boolean isTelephoneEvent() {
        return name.equalsIgnoreCase("telephone-event");
    }

    public boolean isG711() {
        return name.equalsIgnoreCase("PCMU") || name.equalsIgnoreCase("PCMA");
    }

    public boolean isG722() {
        return name.equalsIgnoreCase("G722") && clockRate == 8000;
    }

    /** The value of its {@code a=rtpmap} line: "pt name/clock[/channels]". */
    public String rtpmap() {
        return payloadType + " " + name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
