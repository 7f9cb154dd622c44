package io.srproxy.sip;

import io.srproxy.log.LogSafe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call srproxy places (UAC): INVITE with an SDP offer, digest challenge, provisional responses
 * with early media, 200 -> ACK, CANCEL (also when it crosses a 200), BYE, and a no-answer timeout.
 */
public final class OutgoingCall extends SipCall implements TransactionOwner {

    private static final Logger log = LoggerFactory.getLogger(OutgoingCall.class);

    /**
     * What to call: {@code fromUser} must be an account the agent knows the password of; the
     * Request-URI is {@code number@host:port}, or {@code number@} the SIP server when host is null
     * (a PSTN gateway is addressed directly by its host).
     */
    public record Target(String fromUser, String displayName, String number, String host, int port,
                         Map<String, String> headers) {
        public Target {
            if (number == null || number.isBlank()) {
                throw new IllegalArgumentException("number to call is empty");
            }
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        /** A number at the SIP server. */
        public Target(String fromUser, String displayName, String number, Map<String, String> headers) {
            this(fromUser, displayName, number, null, 0, headers);
        }
    }

    private enum State { CALLING, PROCEEDING, ANSWERED, DONE }

    private final Target target;
    private ClientTransaction invite;
    private State state = State.CALLING;
    private boolean provisionalSeen;
    private CallEnd cancelling;
    private boolean challenged;
    private ScheduledFuture<?> noAnswer;

    OutgoingCall(SipAgent agent, String callId, Target target, CallListener listener, OfferAnswer codecs)
            throws IOException {
        super(agent, callId);
        openRtp(); // the INVITE's SDP names its port
        this.target = target;
        this.listener = listener;
        this.offerAnswer = codecs;
    }

    public Target target() {
        return target;
    }

    void start() {
        executor.execute(() -> {
            try {
                prepareOfferSecurity();
                Request request = agent.requests().newInvite(callId(), target,
                        localSdp(offerAnswer.offerCodecs(), MediaDirection.SENDRECV));
                invite = agent.newClientTransaction(request);
                invite.setApplicationData(this);
                dialog = invite.getDialog();
                invite.sendRequest();
                log.info("call {}: INVITE {} from {}", logId, target.number(), target.fromUser());
                noAnswer = agent.scheduler().schedule(() -> executor.execute(this::onNoAnswer),
                        agent.settings().noAnswer().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                fail(0, "cannot send INVITE: " + e.getMessage(), CallEnd.Cause.TRANSPORT_ERROR);
            }
        });
    }

    /** Cancels before the answer, hangs up after it. */
    public void cancel() {
        hangUp();
    }

    public void bye() {
        hangUp();
    }

    @Override
    public void hangUp() {
        executor.execute(() -> {
            if (state == State.ANSWERED) {
                sendByeAndEnd(new CallEnd(CallEnd.Cause.LOCAL_BYE, 0, "hung up"));
            } else {
                requestCancel(new CallEnd(CallEnd.Cause.CANCELLED, 487, "cancelled by us"));
            }
        });
    }

    @Override
    void shutdown() {
        executor.execute(() -> {
            if (state == State.ANSWERED) {
                sendByeAndEnd(new CallEnd(CallEnd.Cause.SHUTDOWN, 0, "srproxy stopping"));
            } else if (state != State.DONE) {
                requestCancel(new CallEnd(CallEnd.Cause.SHUTDOWN, 0, "srproxy stopping"));
                end(cancelling);
            }
        });
    }

    @Override
    protected String localUser() {
        return target.fromUser();
    }

    @Override
    public void onResponse(ResponseEvent event) {
        executor.execute(() -> handle(event.getResponse(), event.getClientTransaction()));
    }

    @Override
    public void onTimeout(TimeoutEvent event) {
        executor.execute(() -> {
            if (state == State.CALLING || state == State.PROCEEDING) {
                fail(408, "no response to INVITE", CallEnd.Cause.TRANSPORT_ERROR);
            }
        });
    }

    private void handle(Response response, ClientTransaction ct) {
        int status = response.getStatusCode();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (!Request.INVITE.equals(cseq.getMethod())) {
            return; // CANCEL's 200 and the like
        }
        if (status < 200) {
            onProvisional(response, status);
        } else if (status < 300) {
            onSuccess(response, ct);
        } else if ((status == 401 || status == 407) && state != State.DONE && cancelling == null) {
            onChallenge(response, ct, status);
        } else {
            onFailure(response, status);
        }
    }

    private void onProvisional(Response response, int status) {
        if (state == State.DONE) {
            return;
        }
        if (status > 100) {
            provisionalSeen = true;
            state = State.PROCEEDING;
            if (cancelling != null) {
                sendCancel(); // a CANCEL waits for the first provisional response (RFC 3261 9.1)
                return;
            }
        }
        if (status == 100) {
            listener.trying();
            return;
        }
        byte[] body = response.getRawContent();
        if (body != null && body.length > 0) {
            try {
                MediaDescription answer = Sdp.parse(new String(body, StandardCharsets.UTF_8));
                NegotiatedMedia early = offerAnswer.negotiate(answer, MediaDirection.SENDRECV, false);
                acceptAnswerSecurity(answer);
                media = early;
                applyRemote(media);
                listener.earlyMedia(media);
                return;
            } catch (SdpException e) {
                log.warn("call {}: unusable SDP in {}: {}", logId, status, LogSafe.of(e.getMessage()));
            }
        }
        listener.ringing();
    }

    private void onSuccess(Response response, ClientTransaction ct) {
        if (ct != null && ct.getDialog() != null) {
            dialog = ct.getDialog();
        }
        sendAck(response);
        if (state == State.DONE || state == State.ANSWERED) {
            if (state == State.DONE) {
                // the 200 crossed our CANCEL (or came after we gave up): take it down at once
                sendBye();
            }
            return;
        }
        cancelNoAnswer();
        if (cancelling != null) {
            log.info("call {}: 200 crossed our CANCEL; ACK then BYE", logId);
            state = State.DONE;
            sendBye();
            end(cancelling);
            return;
        }
        byte[] body = response.getRawContent();
        try {
            if (body != null && body.length > 0) {
                MediaDescription answer = Sdp.parse(new String(body, StandardCharsets.UTF_8));
                media = offerAnswer.negotiate(answer, MediaDirection.SENDRECV, false);
                acceptAnswerSecurity(answer);
            } else if (media == null) {
                throw new SdpException(488, "200 OK without SDP and no early media");
            }
            applyRemote(media);
            state = State.ANSWERED;
            log.info("call {}: answered, {} to {}", logId, media.audio().name(), media.remote().rtp());
            listener.answered(media);
        } catch (SdpException e) {
            state = State.DONE;
            sendBye();
            fail(e.status(), e.getMessage(), CallEnd.Cause.MEDIA_ERROR);
        }
    }

    private void sendAck(Response response) {
        try {
            long seq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
            javax.sip.Dialog d = dialog;
            Request ack = d.createAck(seq);
            d.sendAck(ack);
        } catch (Exception e) {
            log.warn("call {}: cannot send ACK: {}", logId, e.toString());
        }
    }

    private void onChallenge(Response response, ClientTransaction ct, int status) {
        if (challenged && !SipRequests.isStale(response)) {
            fail(status, "credentials for " + target.fromUser() + " refused: " + response.getReasonPhrase(),
                    CallEnd.Cause.REJECTED);
            return;
        }
        challenged = true;
        try {
            ClientTransaction retry = agent.auth().handleChallenge(response, ct, agent.provider(), 5);
            retry.setApplicationData(this);
            agent.applyTimers(retry);
            invite = retry;
            dialog = retry.getDialog();
            retry.sendRequest();
        } catch (Exception e) {
            fail(status, "cannot answer the digest challenge: " + e.getMessage(), CallEnd.Cause.REJECTED);
        }
    }

    private void onFailure(Response response, int status) {
        if (state == State.DONE) {
            return;
        }
        if (cancelling != null) {
            state = State.DONE;
            cancelNoAnswer();
            if (cancelling.cause() == CallEnd.Cause.NO_ANSWER) {
                listener.failed(408, "no answer");
            }
            end(cancelling);
            return;
        }
        fail(status, response.getReasonPhrase(), CallEnd.Cause.REJECTED);
    }

    private void onNoAnswer() {
        if (state == State.CALLING || state == State.PROCEEDING) {
            log.info("call {}: no answer in {} s, cancelling", logId, agent.settings().noAnswer().toSeconds());
            requestCancel(new CallEnd(CallEnd.Cause.NO_ANSWER, 408, "no answer"));
        }
    }

    private void requestCancel(CallEnd why) {
        if (state == State.DONE || state == State.ANSWERED || cancelling != null) {
            return;
        }
        cancelling = why;
        if (provisionalSeen) {
            sendCancel();
        } else if (invite == null) {
            state = State.DONE;
            end(why);
        }
        // else: sent on the first provisional response; the INVITE's own timeout ends it otherwise
    }

    private void sendCancel() {
        try {
            Request cancel = invite.createCancel();
            ClientTransaction ct = agent.newClientTransaction(cancel);
            ct.setApplicationData(TransactionOwner.IGNORE);
            ct.sendRequest();
            log.info("call {}: CANCEL sent ({})", logId, cancelling);
        } catch (Exception e) {
            log.warn("call {}: cannot send CANCEL: {}", logId, e.toString());
        }
    }

    private void fail(int status, String reason, CallEnd.Cause cause) {
        if (isEnded()) {
            return;
        }
        state = State.DONE;
        cancelNoAnswer();
        log.info("call {}: failed {} {}", logId, status, LogSafe.of(reason));
        listener.failed(status, reason);
        end(new CallEnd(cause, status, reason));
    }

    private void cancelNoAnswer() {
        if (noAnswer != null) {
            noAnswer.cancel(false);
        }
    }

    @Override
    protected void onEnding() {
        state = State.DONE;
        cancelNoAnswer();
    }
}
