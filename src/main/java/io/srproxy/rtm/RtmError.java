package io.srproxy.rtm;

/** Why a request to the RTM service failed. The wire protocol sends the name; see docs/protocol.md. */
public enum RtmError {
    /** The frame is not a JSON object. */
    BAD_JSON,
    /** {@code cmd} names no command. */
    UNKNOWN_COMMAND,
    /** A required field is absent or has the wrong JSON type. */
    MISSING_FIELD,
    /** A value breaks a rule (length, characters, self-invitation, ...); the message says which. */
    INVALID_ARGUMENT,
    /** The command needs a logged-in session. */
    NOT_LOGGED_IN,
    /** This connection or client is already logged in. */
    ALREADY_LOGGED_IN,
    /** Login with an appid this server does not serve. */
    INVALID_APP_ID,
    /** Login token missing or refused ([global] app_cert is set); the message says why. */
    TOKEN_REJECTED,
    /** More requests per second than {@code [rtm] max_requests_per_second}; the request was dropped. */
    RATE_LIMITED,
    /** {@code [rtm] max_connections} reached; the socket is closed after this error. */
    SERVER_FULL,
    /** The peer of a message is not online. */
    PEER_OFFLINE,
    /** Invitation: already sent. */
    ALREADY_SENT,
    /** Invitation: already accepted, refused, cancelled or failed, or unknown. */
    ALREADY_END,
    /** Invitation: already accepted. */
    ALREADY_ACCEPT,
    /** Invitation: not sent yet. */
    NOT_STARTED,
    /** Invitation: the session is not the party allowed to do this. */
    NOT_ALLOWED,
    /** Channel: this session is already a member (Agora JOIN_CHANNEL_ERR_ALREADY_JOINED, 6). */
    ALREADY_JOINED,
    /** Channel: this session is in {@code [limits] rtm_channels_per_user} channels (Agora JOIN_CHANNEL_ERR_EXCEED_LIMIT, 5). */
    TOO_MANY_CHANNELS,
    /** Channel: it has {@code [limits] rtm_channel_members} members already. */
    CHANNEL_FULL,
    /** Channel: leave, members or message in a channel this session has not joined (Agora LEAVE_CHANNEL_ERR_NOT_IN_CHANNEL, 3). */
    NOT_IN_CHANNEL,
    /** Client side: the server could not be reached at login (connection refused, DNS, TLS, ...). */
    UNREACHABLE,
    /** The service is closed or failed unexpectedly. */
    INTERNAL
}
