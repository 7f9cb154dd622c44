package io.srproxy.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.net.InetAddress;
import javax.sip.SipStack;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * {@link SipAdmission} at JAIN-SIP's door ({@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}): every
 * parsed request and response is judged before the stack looks for or builds a transaction or a
 * dialog, so a refused message costs no state. Refused requests get 403 (sent statelessly from
 * here) or, over the rate, nothing. JAIN-SIP makes this class by name and hands it only the stack;
 * the agent's admission is found through {@link StackGuards} by the stack's name.
 */
public final class AdmissionValve implements SIPMessageValve {

    private volatile SIPTransactionStack stack;
    private volatile SipAdmission admission;

    public AdmissionValve() {
        // made by JAIN-SIP through gov.nist.javax.sip.SIP_MESSAGE_VALVE
    }

    @Override
    public void init(SipStack sipStack) {
        this.admission = StackGuards.forStack(sipStack.getStackName()).admission();
        this.stack = (SIPTransactionStack) sipStack;
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        SipAdmission a = admission;
        if (a == null) {
            return false; // not initialised: refuse rather than let everything in
        }
        return switch (a.request(request.getMethod(), sourceOf(request, channel))) {
            case PASS -> {
                if (Request.OPTIONS.equals(request.getMethod()) && request.getToTag() != null) {
                    a.answer(request, dialogKeepalive(request));
                    yield false;
                }
                yield true;
            }
            case DROP -> false;
            case FORBID -> {
                a.forbid(request);
                yield false;
            }
        };
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        SipAdmission a = admission;
        if (a == null) {
            return false;
        }
        SIPResponse r = (SIPResponse) response;
        InetAddress source = sourceOf(r, channel);
        // a pending client transaction of ours with this branch (the answer we wait for), or a
        // dialog of ours (a retransmitted 2xx after the INVITE transaction ended, to be ACKed again)
        boolean ours = stack.findTransaction(r.getTransactionId(), false) != null
                || (r.getToTag() != null && stack.getDialog(r.getDialogId(false)) != null);
        return a.response(r.getStatusCode(), source, ours);
    }

    /**
     * An in-dialog OPTIONS is a SIP server's dialog keep-alive (Kamailio's dialog module, SER/OpenSIPS
     * alike): 200 while the dialog is ours, so a live call stays up; 481 when it is not (a node
     * restarted on the same address, or a call already ended), so the server ends the dialog and
     * hangs up the other side. Answered here because Kamailio sends it with a CSeq no higher than
     * the dialog's last, which the stack would drop as a retransmission (and the server then time
     * out and end a live call).
     */
    private int dialogKeepalive(SIPRequest request) {
        javax.sip.Dialog d = stack.getDialog(request.getDialogId(true));
        return d != null && d.getState() != javax.sip.DialogState.TERMINATED
                ? Response.OK : Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST;
    }

    /** The packet's real source (UDP) or the connection's peer (TCP), set by the channel; never what the headers claim. */
    private static InetAddress sourceOf(SIPMessage message, MessageChannel channel) {
        InetAddress source = message.getPeerPacketSourceAddress();
        if (source == null) {
            source = message.getRemoteAddress();
        }
        return source;
    }

    @Override
    public void destroy() {
        // the agent unregisters its guards when it stops
    }
}
