package io.srproxy.sip;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.SipListenerExt;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import java.text.ParseException;
import javax.sip.header.AcceptHeader;
import javax.sip.header.AllowHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.UnsupportedHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything JAIN-SIP hands the agent once {@link AdmissionValve} has let it in (per-source rate,
 * trust list, stray responses): screening as RFC 3261 8.2 says ({@link RequestScreening}),
 * dispatch to calls by Call-ID, responses and timeouts back to the transaction's owner. A bug met
 * on the way is answered 500. Callbacks run on JAIN-SIP threads and only hand work over.
 */
final class InboundRequests implements SipListenerExt {

    private static final Logger log = LoggerFactory.getLogger(InboundRequests.class);

    private final SipAgent agent;

    InboundRequests(SipAgent agent, SipSettings settings) {
        this.agent = agent;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            SipCall call = agent.call(callIdOf(request));
            if (call != null) {
                call.onInDialogRequest(event, null);
            }
            return;
        }
        Optional<Refusal> refusal = RequestScreening.screen(request);
        if (refusal.isPresent()) {
            respondStateless(request, refusal.get());
            return;
        }
        try {
            switch (method) {
                case Request.OPTIONS -> respondStateless(request, Response.OK);
                case Request.INVITE -> onInvite(event);
                case Request.CANCEL -> onCancel(event);
                default -> {
                    SipCall call = agent.call(callIdOf(request));
                    if (call != null) {
                        call.onInDialogRequest(event, serverTransaction(event));
                    } else if (Request.NOTIFY.equals(method)) {
                        respondStateless(request, RequestScreening.notHandled(method)); // no subscriptions here
                    } else {
                        respondStateless(request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST); // BYE, UPDATE, INFO
                    }
                }
            }
        } catch (RuntimeException e) {
            agent.internalErrors().report(log, "handling " + method, e);
            respondStateless(request, Refusal.of(Response.SERVER_INTERNAL_ERROR, "Server Internal Error"));
        } catch (Exception e) {
            log.warn("cannot handle {}: {}", method, e.toString());
        }
    }

    private void onInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        SipCall existing = agent.call(callIdOf(request));
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (existing != null && to.getTag() != null) {
            existing.onInDialogRequest(event, serverTransaction(event)); // re-INVITE
            return;
        }
        if (existing != null) {
            return; // a retransmission the stack did not absorb
        }
        if (to.getTag() != null) {
            respondStateless(request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST); // re-INVITE of a call we do not know
            return;
        }
        if (request.getHeader(MaxForwardsHeader.NAME) == null) {
            // RFC 2543 requests have none (RFC 4475 3.4.1); JAIN-SIP wants one for the transaction
            request.addHeader(agent.headers().createMaxForwardsHeader(70));
        }
        ServerTransaction st = serverTransaction(event);
        if (st == null) {
            return;
        }
        applyTimers(st);
        st.sendResponse(agent.messages().createResponse(Response.TRYING, request));
        if (agent.isClosed()) {
            st.sendResponse(agent.messages().createResponse(Response.SERVICE_UNAVAILABLE, request));
            return;
        }
        IncomingCall call = null;
        try {
            call = new IncomingCall(agent, st, request, agent.settings().prefix(), agent.accounts().users());
            agent.adopt(call);
            call.offered(agent.incomingHandler());
        } catch (RuntimeException e) {
            agent.internalErrors().report(log, "taking the INVITE of call " + callIdOf(request), e);
            if (call != null) {
                call.failInternally(); // 500, and the call frees its ports and timers
            } else {
                st.sendResponse(agent.messages().createResponse(Response.SERVER_INTERNAL_ERROR, request));
            }
        }
    }

    private void onCancel(RequestEvent event) throws Exception {
        Request cancel = event.getRequest();
        ServerTransaction st = serverTransaction(event);
        SipCall call = agent.call(callIdOf(cancel));
        Response r = agent.messages().createResponse(
                call == null ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST : Response.OK, cancel);
        if (st != null) {
            st.sendResponse(r);
        } else {
            agent.provider().sendResponse(r);
        }
        if (call instanceof IncomingCall in) {
            in.onCancel();
        }
    }

    /** Our T1 also paces the 200's retransmissions and the stack's ACK wait (64*T1), as for our own timer. */
    private void applyTimers(ServerTransaction st) {
        try {
            agent.applyTimers(st);
        } catch (IllegalStateException started) {
            log.debug("INVITE transaction timer already running: keeping the stack's T1");
        }
    }

    private ServerTransaction serverTransaction(RequestEvent event) {
        ServerTransaction st = event.getServerTransaction();
        if (st != null) {
            return st;
        }
        try {
            return agent.provider().getNewServerTransaction(event.getRequest());
        } catch (TransactionAlreadyExistsException retransmission) {
            return null;
        } catch (Exception e) {
            // the stack found the request unfit for a transaction (e.g. a required header missing): say so
            log.debug("no server transaction for {}: {}", event.getRequest().getMethod(), e.toString());
            respondStateless(event.getRequest(), Refusal.of(Response.BAD_REQUEST, "Bad Request (" + e.getMessage() + ")"));
            return null;
        }
    }

    private void respondStateless(Request request, int status) {
        try {
            agent.provider().sendResponse(agent.messages().createResponse(status, request));
        } catch (Exception e) {
            log.debug("cannot answer {} with {}: {}", request.getMethod(), status, e.toString());
        }
    }

    /** A refusal, sent without a transaction: its reason phrase names the problem, its headers go along. */
    private void respondStateless(Request request, Refusal refusal) {
        try {
            Response r = agent.messages().createResponse(refusal.status(), request);
            r.setReasonPhrase(refusal.reason());
            for (Map.Entry<String, String> h : refusal.headers().entrySet()) {
                r.addHeader(header(h.getKey(), h.getValue()));
            }
            ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
            if (to != null && to.getTag() == null) {
                to.setTag(UUID.randomUUID().toString().substring(0, 8)); // RFC 3261 8.2.6.2
            }
            agent.provider().sendResponse(r);
        } catch (Exception e) {
            log.debug("cannot answer {} with {}: {}", request.getMethod(), refusal.status(), e.toString());
        }
    }

    /** Comma lists go in whole (the factory's createHeader takes single values only). */
    private Header header(String name, String value) throws ParseException {
        HeaderFactory f = agent.headers();
        return switch (name) {
            case AllowHeader.NAME -> f.createAllowHeader(value);
            case UnsupportedHeader.NAME -> f.createUnsupportedHeader(value);
            case AcceptHeader.NAME -> f.createAcceptHeader(value.split("/")[0], value.split("/")[1]);
            default -> f.createHeader(name, value);
        };
    }

    private static String callIdOf(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    @Override
    public void processResponse(ResponseEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null && ct.getApplicationData() instanceof TransactionOwner owner) {
            owner.onResponse(event);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null && ct.getApplicationData() instanceof TransactionOwner owner) {
            owner.onTimeout(event);
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        log.warn("SIP I/O error toward {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // transactions clean themselves up
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // calls end through their own events; dialogs are freed by the stack
    }

    @Override
    public void processDialogTimeout(DialogTimeoutEvent event) {
        Dialog d = event.getDialog();
        SipCall call = d == null ? null : agent.call(d.getCallId().getCallId());
        if (event.getReason() == DialogTimeoutEvent.Reason.AckNotReceived && call instanceof IncomingCall in) {
            in.onDialogAckTimeout(d); // the call decides: BYE and delete, or keep a dialog whose ACK the stack missed
        } else if (d != null) {
            d.delete();
        }
    }
}
