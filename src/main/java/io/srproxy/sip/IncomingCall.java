package io.srproxy.sip;

import gov.nist.javax.sip.stack.DialogAcks;
import gov.nist.javax.sip.stack.SIPDialog;
import io.srproxy.log.LogSafe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call to srproxy (UAS). The handler decides: {@link #ringing}, {@link #earlyMedia},
 * {@link #answer}, {@link #reject}; {@link #hangUp} later. CANCEL gives 487, a missing ACK a BYE.
 */
public final class IncomingCall extends SipCall {

    private static final Logger log = LoggerFactory.getLogger(IncomingCall.class);

    /** The header an app's data travels in between srproxy instances and the SIP server. */
    public static final String DATA_HEADER = "X-SRProxy-Data";

    private enum State { OFFERED, EARLY, ANSWERED, CONFIRMED, DONE }

    private final ServerTransaction inviteTx;
    private final Request invite;
    private final String localTag = UUID.randomUUID().toString().substring(0, 8);
    private final String callerNumber;
    private final String callerDisplayName;
    private final String dialledNumber;
    private final String calledNumber;
    private final String strippedPrefix;
    private final String srproxyData;
    private final String localUser;
    private final String requestUriUser;
    private final String fromTag;
    private State state = State.OFFERED;
    private MediaDescription offer;
    private SdpException offerProblem;

    /** Takes no RTP port: the session opens when the call is answered or bridged (see {@link SipCall}). */
    IncomingCall(SipAgent agent, ServerTransaction st, Request invite, String prefix, java.util.Set<String> ownAccounts) {
        super(agent, ((javax.sip.header.CallIdHeader) invite.getHeader("Call-ID")).getCallId());
        try {
            this.inviteTx = st;
            this.invite = invite;
            this.dialog = st.getDialog();
            FromHeader from = (FromHeader) invite.getHeader(FromHeader.NAME);
            ToHeader to = (ToHeader) invite.getHeader(ToHeader.NAME);
            this.fromTag = from.getTag() == null ? "" : from.getTag();
            this.callerNumber = userOf(from.getAddress().getURI());
            this.callerDisplayName = from.getAddress().getDisplayName() == null ? "" : from.getAddress().getDisplayName();
            String ruriUser = userOf(invite.getRequestURI());
            this.requestUriUser = ruriUser;
            String toUser = userOf(to.getAddress().getURI());
            // A server that delivers 0<uid> to our registered contact rewrites the Request-URI to our account:
            // then the number dialled is in To.
            boolean ruriIsUs = ruriUser.isEmpty() || ownAccounts.contains(ruriUser);
            this.dialledNumber = ruriIsUs ? toUser : ruriUser;
            this.localUser = ruriIsUs && !ruriUser.isEmpty() ? ruriUser : agent.settings().account();
            if (!prefix.isEmpty() && dialledNumber.startsWith(prefix) && dialledNumber.length() > prefix.length()) {
                this.calledNumber = dialledNumber.substring(prefix.length());
                this.strippedPrefix = prefix;
            } else {
                this.calledNumber = dialledNumber;
                this.strippedPrefix = "";
            }
            Header data = invite.getHeader(DATA_HEADER);
            this.srproxyData = data == null ? null : data.toString().substring(data.toString().indexOf(':') + 1).trim();
            readSessionTimer(invite);
            byte[] body = invite.getRawContent();
            if (body == null || body.length == 0) {
                offerProblem = new SdpException(488, "INVITE without SDP offer (late offer) is not supported");
            } else {
                try {
                    offer = Sdp.parse(new String(body, StandardCharsets.UTF_8));
                    media = agent.offerAnswer().negotiate(offer, MediaDirection.SENDRECV, true);
                    acceptOfferSecurity(offer);
                } catch (SdpException e) {
                    offerProblem = e;
                }
            }
        } catch (RuntimeException e) {
            closeRtp(); // the call never reaches the agent's table: free a DTLS-SRTP leg the offer started
            throw e;
        }
    }

    private static String userOf(javax.sip.address.URI uri) {
        if (uri instanceof SipURI sip && sip.getUser() != null) {
            return sip.getUser();
        }
        return "";
    }

    @Override
    protected boolean secureDialog() {
        return invite.getRequestURI().isSipURI() && ((SipURI) invite.getRequestURI()).isSecure();
    }

    /** The From tag: with the Call-ID, the same for every branch a forking proxy makes of one call. */
    public String fromTag() {
        return fromTag;
    }

    public String callerNumber() {
        return callerNumber;
    }

    public String callerDisplayName() {
        return callerDisplayName;
    }

    /** The user part of the Request-URI (our account when the server rewrote it). */
    public String requestUriUser() {
        return requestUriUser;
    }

    /** The number as dialled, with its prefix. */
    public String dialledNumber() {
        return dialledNumber;
    }

    /** The number dialled with {@code proxy.prefix} stripped (when it started with it). */
    public String calledNumber() {
        return calledNumber;
    }

    /** The prefix that was stripped, or "" when the number did not start with it. */
    public String prefix() {
        return strippedPrefix;
    }

    /** The X-SRProxy-Data header value, or null. */
    public String srproxyData() {
        return srproxyData;
    }

    /** The caller's offer (null when it had none or it was unusable). */
    public MediaDescription offer() {
        return offer;
    }

    /**
     * From the incoming-call handler (on this call's executor), before any answer: this call
     * answers (and takes re-INVITEs) with {@code codecs} instead of the configured ones. When the
     * offer has none of them the call is refused 488 with a Warning (305, RFC 3261 20.43) of
     * {@code why} and the formats offered, and false is returned.
     */
    public boolean answerOnly(OfferAnswer codecs, String why) {
        NegotiatedMedia narrowed;
        try {
            narrowed = codecs.negotiate(offer, MediaDirection.SENDRECV, true);
        } catch (SdpException e) {
            String text = why + "; " + e.getMessage();
            executor.execute(() -> {
                if (state != State.OFFERED) {
                    return;
                }
                log.info("call {}: refusing INVITE 488: {}", logId, LogSafe.of(text));
                respond(inviteTx, invite, Response.NOT_ACCEPTABLE_HERE, null, false, warning(text));
                end(new CallEnd(CallEnd.Cause.MEDIA_ERROR, Response.NOT_ACCEPTABLE_HERE, text));
            });
            return false;
        }
        // set here, not queued: the handler runs on this call's executor, and what it starts next
        // (answer, or a bridge reading media()) must see the narrowed choice
        offerAnswer = codecs;
        media = narrowed;
        return true;
    }

    /** A Warning header "305 srproxy <text>" (305: incompatible media format). */
    private Header warning(String text) {
        try {
            return agent.headers().createWarningHeader("srproxy", 305, text.replace('"', '\''));
        } catch (java.text.ParseException | javax.sip.InvalidArgumentException e) {
            return null; // the 488 goes out without it
        }
    }

    /** Set by the incoming-call handler before it returns; events go here. */
    public void setListener(CallListener l) {
        this.listener = l == null ? new CallListener() { } : l;
    }

    /** Called by the agent after the handler saw the call: refuse what cannot be answered. */
    void offered(IncomingCallHandler handler) {
        executor.execute(() -> {
            if (offerProblem != null) {
                log.warn("call {}: refusing INVITE: {}", logId, LogSafe.of(offerProblem.getMessage()));
                respond(inviteTx, invite, offerProblem.status(), null, false);
                end(new CallEnd(CallEnd.Cause.MEDIA_ERROR, offerProblem.status(), offerProblem.getMessage()));
                return;
            }
            log.info("call {}: INVITE from {} \"{}\" to {} (prefix '{}')", logId, LogSafe.of(callerNumber),
                    LogSafe.of(callerDisplayName), LogSafe.of(calledNumber), strippedPrefix);
            try {
                handler.onIncomingCall(this);
            } catch (RuntimeException e) {
                agent.internalErrors().report(log, "the incoming-call handler failed on call " + logId, e);
                endOnInternalError();
            }
        });
    }

    /**
     * A bug met while the call was being set up: 500 to the caller if not yet answered (else BYE),
     * and the call ends, freeing its RTP ports and timers.
     */
    void failInternally() {
        executor.execute(this::endOnInternalError);
    }

    private void endOnInternalError() {
        CallEnd end = new CallEnd(CallEnd.Cause.INTERNAL_ERROR, 500, "internal error");
        if (state == State.OFFERED || state == State.EARLY) {
            respond(inviteTx, invite, Response.SERVER_INTERNAL_ERROR, null, false);
            end(end);
        } else {
            sendByeAndEnd(end);
        }
    }

    /** 180 Ringing. */
    public void ringing() {
        executor.execute(() -> {
            if (state == State.OFFERED || state == State.EARLY) {
                respond(inviteTx, invite, Response.RINGING, null, true);
            }
        });
    }

    /** 183 Session Progress with our SDP answer: media flows before the answer. */
    public void earlyMedia() {
        executor.execute(() -> {
            if ((state == State.OFFERED || state == State.EARLY) && mediaOpened()) {
                state = State.EARLY;
                applyRemote(media);
                respond(inviteTx, invite, Response.SESSION_PROGRESS,
                        localSdp(OfferAnswer.answerCodecs(media), media.localDirection()), true);
            }
        });
    }

    /** 200 OK with our SDP answer; {@link CallListener#answered} follows the ACK. */
    public void answer() {
        executor.execute(() -> {
            if (state != State.OFFERED && state != State.EARLY || !mediaOpened()) {
                return;
            }
            state = State.ANSWERED;
            applyRemote(media);
            respond(inviteTx, invite, Response.OK, localSdp(OfferAnswer.answerCodecs(media), media.localDirection()), true);
            armSessionTimer();
            // RFC 3261 13.3.1.4: no ACK within 64*T1 -> end the session (JAIN-SIP's own dialog timer may say so first)
            agent.scheduler().schedule(this::onAckTimeout, agent.settings().t1().toMillis() * 64, TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Opens the RTP session as the call is answered (the ports are taken here, or earlier when the
     * handler asked for {@link #rtp}); none free: 503, and the call ends. On the executor.
     */
    private boolean mediaOpened() {
        try {
            openRtp();
            return true;
        } catch (IOException e) {
            log.error("call {}: refusing INVITE 503: {}", logId, e.getMessage());
            respond(inviteTx, invite, Response.SERVICE_UNAVAILABLE, null, false);
            end(new CallEnd(CallEnd.Cause.MEDIA_ERROR, Response.SERVICE_UNAVAILABLE, e.getMessage()));
            return false;
        }
    }

    /** A final refusal, e.g. 486 Busy Here, 480, 603 Decline, 404. */
    public void reject(int status) {
        if (status < 300 || status > 699) {
            throw new IllegalArgumentException("reject needs a final status 300..699, not " + status);
        }
        executor.execute(() -> {
            if (state == State.OFFERED || state == State.EARLY) {
                respond(inviteTx, invite, status, null, false);
                end(new CallEnd(CallEnd.Cause.REJECTED, status, "rejected by us"));
            }
        });
    }

    @Override
    public void hangUp() {
        executor.execute(() -> {
            switch (state) {
                case OFFERED, EARLY -> {
                    respond(inviteTx, invite, Response.TEMPORARILY_UNAVAILABLE, null, false);
                    end(new CallEnd(CallEnd.Cause.REJECTED, 480, "hung up before answer"));
                }
                case ANSWERED, CONFIRMED -> sendByeAndEnd(new CallEnd(CallEnd.Cause.LOCAL_BYE, 0, "hung up"));
                default -> { }
            }
        });
    }

    public void bye() {
        hangUp();
    }

    @Override
    void shutdown() {
        executor.execute(() -> {
            switch (state) {
                case OFFERED, EARLY -> {
                    respond(inviteTx, invite, Response.SERVICE_UNAVAILABLE, null, false);
                    end(new CallEnd(CallEnd.Cause.SHUTDOWN, 503, "srproxy stopping"));
                }
                case ANSWERED, CONFIRMED -> sendByeAndEnd(new CallEnd(CallEnd.Cause.SHUTDOWN, 0, "srproxy stopping"));
                default -> { }
            }
        });
    }

    /** CANCEL from the caller (already answered 200 by the agent). */
    void onCancel() {
        executor.execute(() -> {
            if (state == State.OFFERED || state == State.EARLY) {
                respond(inviteTx, invite, Response.REQUEST_TERMINATED, null, false);
                end(new CallEnd(CallEnd.Cause.CANCELLED, 487, "caller cancelled"));
            }
        });
    }

    @Override
    protected void onAck(Request ack) {
        if (state == State.ANSWERED) {
            state = State.CONFIRMED;
            log.info("call {}: confirmed (ACK)", logId);
            listener.answered(media);
        }
    }

    @Override
    protected void onRemoteBye() {
        if (state == State.OFFERED || state == State.EARLY) {
            respond(inviteTx, invite, Response.REQUEST_TERMINATED, null, false);
        }
        super.onRemoteBye();
    }

    /**
     * JAIN-SIP's dialog resent our 200 for 64*T1 without counting an ACK (it says so every T1 until
     * the dialog goes). Without an ACK: BYE, then the dialog goes. If we did see the ACK, the stack
     * missed it (JAIN-SIP issue 140): the call is up, so its dialog stays, or no BYE could ever end it.
     */
    void onDialogAckTimeout(Dialog d) {
        executor.execute(() -> {
            if (state == State.CONFIRMED && d instanceof SIPDialog sd) {
                long cseq = ((CSeqHeader) invite.getHeader(CSeqHeader.NAME)).getSeqNumber();
                DialogAcks.confirm(sd, cseq);
                return;
            }
            if (state == State.ANSWERED) {
                log.warn("call {}: no ACK for our 200 OK; sending BYE (check NAT/public_ip)", logId);
                sendByeAndEnd(new CallEnd(CallEnd.Cause.NO_ACK, 0, "ACK never arrived"));
            }
            d.delete();
        });
    }

    /** The 200 was retransmitted until timer H without an ACK. */
    void onAckTimeout() {
        executor.execute(() -> {
            if (state == State.ANSWERED) {
                log.warn("call {}: no ACK for our 200 OK; sending BYE (check NAT/public_ip)", logId);
                sendByeAndEnd(new CallEnd(CallEnd.Cause.NO_ACK, 0, "ACK never arrived"));
            }
        });
    }

    @Override
    protected boolean awaitingAck() {
        return state == State.ANSWERED;
    }

    @Override
    protected String localUser() {
        return localUser;
    }

    @Override
    protected void decorateResponse(Response r) {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (r.getStatusCode() > 100 && to.getTag() == null) {
            try {
                to.setTag(localTag);
            } catch (java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    protected void onEnding() {
        state = State.DONE;
    }
}
