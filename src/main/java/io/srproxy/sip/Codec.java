package io.srproxy.sip;

import java.util.Locale;

/** One payload format of an SDP m-line: payload type, encoding name, clock rate, channels. */
public record Codec(int payloadType, String name, int clockRate, int channels) {

    public static final Codec PCMU = new Codec(0, "PCMU", 8000, 1);
    public static final Codec PCMA = new Codec(8, "PCMA", 8000, 1);
    /** G.722 samples at 16 kHz but its RTP clock is 8000 (RFC 3551 4.5.2), so its rtpmap says G722/8000. */
    public static final Codec G722 = new Codec(9, "G722", 8000, 1);
    public static final Codec OPUS = new Codec(111, "opus", 48000, 2);
    public static final Codec TELEPHONE_EVENT_8K = new Codec(101, "telephone-event", 8000, 1);
    public static final Codec TELEPHONE_EVENT_48K = new Codec(102, "telephone-event", 48000, 1);

    public boolean isTelephoneEvent() {
        return name.equalsIgnoreCase("telephone-event");
    }

    /** Same format regardless of payload type (names compare case-insensitively). */
    public boolean sameFormat(Codec other) {
        return name.equalsIgnoreCase(other.name) && clockRate == other.clockRate;
    }

    public String rtpmap() {
        return payloadType + " " + name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }

    /** The codec of a configured name ({@code [media] codecs}), or null when it is not supported. */
    public static Codec named(String configured) {
        return switch (configured.trim().toLowerCase(Locale.ROOT)) {
            case "pcmu" -> PCMU;
            case "pcma" -> PCMA;
            case "opus" -> OPUS;
            case "g722" -> G722;
            default -> null;
        };
    }
}
