package io.srproxy.media;

/** What a stream carries; the SDP media type and the signalling's mediaType. */
public enum MediaKind {
    AUDIO, VIDEO;

    public String sdpName() {
        return this == AUDIO ? "audio" : "video";
    }

    public static MediaKind fromName(String name) {
        return switch (name) {
            case "audio" -> AUDIO;
            case "video" -> VIDEO;
            default -> throw new IllegalArgumentException("unknown media type '" + name + "' (audio or video)");
        };
    }
}
