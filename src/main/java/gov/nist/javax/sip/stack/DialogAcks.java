package gov.nist.javax.sip.stack;

/**
 * srproxy's one reach into JAIN-SIP's package (1.3.0-91): telling a dialog it has seen the ACK of
 * its 2xx. The stack misses it when the ACK is handled between the 2xx leaving and the 2xx's
 * retransmission timer starting ({@code SIPServerTransactionImpl.sendResponse} sends first and
 * calls {@code SIPDialog.startRetransmitTimer} after; {@code SIPDialog.ackReceived} finds no
 * timer, hence no INVITE transaction, and records nothing: RestComm/jain-sip issue 140). The
 * dialog then retransmits the 2xx for 64*T1 and reports the ACK as never received.
 */
public final class DialogAcks {

    private DialogAcks() {}

    /**
     * Records the ACK with sequence number {@code cseq} on {@code dialog} unless it already has,
     * which stops its 2xx retransmissions. Call it once the 2xx's {@code sendResponse} returned.
     *
     * @return true when the dialog had missed the ACK
     */
    public static boolean confirm(SIPDialog dialog, long cseq) {
        if (dialog.isAckSeen() || dialog.getInviteTransaction() == null) {
            return false;
        }
        dialog.ackReceived(cseq);
        return dialog.isAckSeen();
    }
}
