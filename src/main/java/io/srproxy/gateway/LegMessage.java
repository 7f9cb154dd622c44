package io.srproxy.gateway;

/**
 * One message about a SIP leg that runs at another node than the call's acc_rule account: the
 * account's node asks the node owning the call's RTC channel to run the leg ({@link Kind#PLACE}),
 * or to end it ({@link Kind#HANG_UP}); that node reports the leg's progress back (the other kinds).
 * {@code leg} is the call's id at the requesting node; unused fields are null or 0.
 *
 * @param from    the sending node (set by the cluster when it sends)
 * @param account PLACE: the acc_rule account calling (the SIP From, the dial plan's input)
 * @param appUid  PLACE: the app user who invited it
 * @param channel PLACE: the RTC channel the leg joins
 * @param content PLACE: the invitation's content as the app sent it (the dial plan reads it again)
 * @param status  FAILED / ENDED: the SIP status (0: none)
 * @param text    FAILED / ENDED: why; DTMF: the digit
 */
public record LegMessage(Kind kind, String leg, String from, String account, String appUid, String channel,
                         String content, int status, String text) {

    public enum Kind {
        /** requester -> owner: run this leg. */
        PLACE,
        /** requester -> owner: hang it up (CANCEL or BYE). */
        HANG_UP,
        /** owner -> requester: the INVITE went out. */
        PLACED,
        /** owner -> requester: the SIP side answered and the leg is in the channel. */
        ANSWERED,
        /** owner -> requester: the SIP side refused ({@code status}), or the answered leg could not join ({@code status} 0). */
        FAILED,
        /** owner -> requester: the phone sent a DTMF digit ({@code text}). */
        DTMF,
        /** owner -> requester: the leg is over ({@code status}, {@code text}); nothing follows. */
        ENDED
    }

    static LegMessage place(String leg, String account, String appUid, String channel, String content) {
        return new LegMessage(Kind.PLACE, leg, null, account, appUid, channel, content, 0, null);
    }

    static LegMessage of(Kind kind, String leg, int status, String text) {
        return new LegMessage(kind, leg, null, null, null, null, null, status, text);
    }

    /** The same message as sent by {@code node}. */
    public LegMessage from(String node) {
        return new LegMessage(kind, leg, node, account, appUid, channel, content, status, text);
    }
}
