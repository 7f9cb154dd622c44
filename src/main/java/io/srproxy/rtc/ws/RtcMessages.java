package io.srproxy.rtc.ws;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The JSON frames of the /rtc WebSocket (see docs/protocol.md, "/rtc: media channels"). */
final class RtcMessages {

    private RtcMessages() {}

    /** Any frame from the client; which fields matter depends on {@code type}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Request(String type, String appId, String channel, String uid, String token, String sdp,
                   String mediaType, Boolean muted, Boolean multistream, List<Subscription> subscriptions,
                   Boolean codecSwitch, Integer streamType, Integer interval) {}

    /** One m-line of a multistream client and the member media it carries; {@code ssrc} in answers. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Subscription(String mid, String uid, String mediaType, Long ssrc) {}

    record Answer(String type, String sdp, List<Subscription> subscriptions) {
        Answer(String sdp, List<Subscription> subscriptions) {
            this("answer", sdp, subscriptions);
        }
    }

    /**
     * Server -> client (only to a client that joined with {@code "codecSwitch":true}): a member
     * sends {@code audioCodec}, which this client offered; re-offer, and the answer moves its
     * audio to that codec, forwarded instead of transcoded.
     */
    record Renegotiate(String type, String audioCodec) {
        Renegotiate(String audioCodec) {
            this("renegotiate", audioCodec);
        }
    }

    record UserState(String uid, boolean audio, boolean video) {}

    record Joined(String type, String channel, String uid, String sdp, List<UserState> users) {
        Joined(String channel, String uid, String sdp, List<UserState> users) {
            this("joined", channel, uid, sdp, users);
        }
    }

    /** The channel lives on another node: join there (docs/protocol.md, "Several nodes"). */
    record Redirect(String type, String channel, String node, String url) {
        Redirect(String channel, String node, String url) {
            this("redirect", channel, node, url);
        }
    }

    record Left(String type) {
        Left() {
            this("left");
        }
    }

    record Error(String type, String request, String code, String message) {
        Error(String request, String code, String message) {
            this("error", request, code, message);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record UserEvent(String type, String uid, String mediaType, String reason, Boolean muted) {}

    record Volume(String uid, int level) {}

    /** Each member's audio level (0..100) since the last report, and the active speaker (null: nobody yet). */
    record VolumeIndicator(String type, List<Volume> levels, String activeSpeaker) {
        VolumeIndicator(List<Volume> levels, String activeSpeaker) {
            this("volume-indicator", levels, activeSpeaker);
        }
    }

    record ConnectionState(String type, String state, String reason) {
        ConnectionState(String state, String reason) {
            this("connection-state", state, reason);
        }
    }
}
