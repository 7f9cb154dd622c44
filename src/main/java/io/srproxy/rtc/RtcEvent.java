package io.srproxy.rtc;

import io.srproxy.media.MediaKind;

/** What a member hears about the others in its channel. */
public sealed interface RtcEvent {

    String uid();

    record UserJoined(String uid) implements RtcEvent {}

    /** @param reason leave, closed, timeout (consent lost) or failed */
    record UserLeft(String uid, String reason) implements RtcEvent {}

    record UserPublished(String uid, MediaKind kind) implements RtcEvent {}

    record UserUnpublished(String uid, MediaKind kind) implements RtcEvent {}

    record UserMuted(String uid, MediaKind kind, boolean muted) implements RtcEvent {}

    /** The member's audio codec changed (a re-offer switched it, e.g. Opus to a SIP leg's PCMU). */
    record UserCodecChanged(String uid) implements RtcEvent {}
}
