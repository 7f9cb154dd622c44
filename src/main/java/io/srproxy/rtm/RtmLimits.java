package io.srproxy.rtm;

import io.srproxy.ids.Identifiers;
import java.util.List;

/** The RTM size and syntax rules; each check throws INVALID_ARGUMENT naming the field and the rule. */
public final class RtmLimits {

    public static final int MAX_UID_BYTES = Identifiers.MAX_UID_BYTES;
    public static final int MAX_MESSAGE_BYTES = 32 * 1024;
    public static final int MAX_INVITATION_CONTENT_BYTES = 8 * 1024;
    public static final int MAX_CHANNEL_ID_BYTES = Identifiers.MAX_CHANNEL_ID_BYTES;
    public static final int MAX_INVITATION_ID_BYTES = 64;
    /** Peers per presence query or subscription request. */
    public static final int MAX_PEERS_PER_REQUEST = 256;

    private RtmLimits() {}

    /** A uid: 1..64 bytes UTF-8, no blanks and no control characters (the rule /rtc shares). */
    public static String uid(String field, String uid) {
        String problem = Identifiers.uidProblem(field, uid);
        if (problem != null) {
            throw invalid(problem);
        }
        return uid;
    }

    /** An optional channel id: empty, or 1..64 bytes UTF-8 without control characters (the rule /rtc shares). */
    public static String channelId(String field, String id) {
        if (id == null || id.isEmpty()) {
            return "";
        }
        String problem = Identifiers.channelIdProblem(field, id);
        if (problem != null) {
            throw invalid(problem);
        }
        return id;
    }

    /** A channel to join or talk in: 1..64 bytes UTF-8 without control characters (the rule /rtc shares). */
    public static String requiredChannelId(String field, String id) {
        if (id == null) {
            throw new RtmException(RtmError.MISSING_FIELD, field + " is missing");
        }
        String problem = Identifiers.channelIdProblem(field, id);
        if (problem != null) {
            throw invalid(problem);
        }
        return id;
    }

    /** Text of at most {@code max} bytes UTF-8; null counts as empty. */
    public static String text(String field, String value, int max) {
        if (value == null) {
            return "";
        }
        int bytes = utf8Length(value);
        if (bytes > max) {
            throw invalid(field + " is " + bytes + " bytes; at most " + max + " bytes UTF-8");
        }
        return value;
    }

    /** A non-empty list of at most {@link #MAX_PEERS_PER_REQUEST} valid uids. */
    public static List<String> peers(String field, List<String> peers) {
        if (peers == null || peers.isEmpty()) {
            throw invalid(field + " must list at least one uid");
        }
        if (peers.size() > MAX_PEERS_PER_REQUEST) {
            throw invalid(field + " lists " + peers.size() + " uids; at most " + MAX_PEERS_PER_REQUEST);
        }
        for (int i = 0; i < peers.size(); i++) {
            uid(field + "[" + i + "]", peers.get(i));
        }
        return peers;
    }

    public static int utf8Length(String s) {
        return Identifiers.utf8Length(s);
    }

    static RtmException invalid(String message) {
        return new RtmException(RtmError.INVALID_ARGUMENT, message);
    }

    /** Quick check used by clients before sending: the same rule without the exception. */
    public static boolean fits(String value, int max) {
        return value == null || utf8Length(value) <= max;
    }
}
