package io.srproxy.gateway;

import java.time.Instant;
import java.util.Optional;

/**
 * What is known of one bridged call, replaced (never mutated) as the call moves on.
 *
 * @param uid        the app user's uid
 * @param sipNumber  the SIP extension or number on the other side
 * @param appCodec   codec on the app side (e.g. opus), empty until media flows
 * @param sipCodec   codec on the SIP side (opus, PCMU, PCMA), empty until negotiated
 */
public record CallRecord(String id, Direction direction, String uid, String sipNumber, String channelId,
                         Instant startedAt, Optional<Instant> answeredAt, Optional<Instant> endedAt,
                         Optional<String> endReason, Optional<String> appCodec, Optional<String> sipCodec) {

    public enum Direction { APP_TO_SIP, APP_TO_PSTN, SIP_TO_APP, SIP_TO_CONFERENCE }

    public static CallRecord started(String id, Direction direction, String uid, String sipNumber,
                                     String channelId, Instant at) {
        return new CallRecord(id, direction, uid, sipNumber, channelId, at, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    public CallRecord answered(Instant at) {
        return new CallRecord(id, direction, uid, sipNumber, channelId, startedAt, Optional.of(at), endedAt,
                endReason, appCodec, sipCodec);
    }

    public CallRecord withCodecs(String app, String sip) {
        return new CallRecord(id, direction, uid, sipNumber, channelId, startedAt, answeredAt, endedAt,
                endReason, Optional.ofNullable(app), Optional.ofNullable(sip));
    }

    public CallRecord ended(Instant at, String reason) {
        return new CallRecord(id, direction, uid, sipNumber, channelId, startedAt, answeredAt, Optional.of(at),
                Optional.of(reason), appCodec, sipCodec);
    }

    public boolean wasAnswered() {
        return answeredAt.isPresent();
    }
}
