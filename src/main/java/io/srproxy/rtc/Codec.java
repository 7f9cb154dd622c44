package io.srproxy.rtc;

import java.util.Locale;

/**
 * A negotiated RTP payload format: encoding name, payload type on this transport, RTP clock rate
 * and channels, and the fmtp line (empty when none).
 */
public record Codec(String name, int payloadType, int clockRate, int channels, String fmtp) {

    public static Codec opus(int pt) {
        return new Codec("opus", pt, 48000, 2, "minptime=10;useinbandfec=1");
    }

    public static final Codec PCMU = new Codec("PCMU", 0, 8000, 1, "");
    public static final Codec PCMA = new Codec("PCMA", 8, 8000, 1, "");
    /** G.722: 16 kHz audio, but an RTP clock of 8000 (RFC 3551 4.5.2), as its rtpmap says. */
    public static final Codec G722 = new Codec("G722", 9, 8000, 1, "");

    public MediaKind kind() {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "vp8", "vp9", "h264", "av1" -> MediaKind.VIDEO;
            default -> MediaKind.AUDIO;
        };
    }

    /** Same encoding (payload types may differ between transports). */
    public boolean sameFormat(Codec other) {
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
}
