package io.srproxy.sip;

import gov.nist.javax.sip.stack.DialogAcks;
import gov.nist.javax.sip.stack.SIPDialog;
import io.srproxy.concurrent.SerialExecutor;
import io.srproxy.log.LogSafe;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpPacketHandler;
import io.srproxy.media.rtp.RtpProtection;
import io.srproxy.media.rtp.RtpSession;
import io.srproxy.media.rtp.RtpSessionListener;
import io.srproxy.rtc.webrtc.DtlsSrtpLeg;
import io.srproxy.rtc.webrtc.SrtpProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both call directions share: the dialog, the RTP session, offer/answer state, in-dialog
 * requests (re-INVITE for hold/resume/new address, UPDATE, BYE), session timers, and ending
 * exactly once. Every method that touches state runs on the call's serial executor.
 *
 * <p>The RTP session comes from the media layer ({@link SipAgent#newRtpSession}) only when the call
 * goes ahead: an outgoing call opens it as it builds its INVITE, an incoming one when it is
 * answered (183 or 200) or its media is first asked for ({@link #rtp}), never for an INVITE it
 * refuses. Until then the SRTP the offer agreed waits here and goes onto the session as it opens.
 */
public abstract sealed class SipCall permits OutgoingCall, IncomingCall {

    private static final Logger log = LoggerFactory.getLogger(SipCall.class);

    protected final SipAgent agent;
    protected final SerialExecutor executor;
    protected final String callId;
    /** The Call-ID as logs show it: escaped, since an incoming call's comes from the network. */
    protected final String logId;
    /** Null until opened; set once, under {@link #rtpLock} (the gateway may open it from its own executor). */
    private volatile RtpSession rtp;
    /** Guards opening and closing the session and the protection waiting for it; once per call, never per packet. */
    private final Object rtpLock = new Object();
    /** The SRTP agreed (or null), put on the session when it opens. */
    private RtpProtection protection;
    private volatile RtpPacketHandler packetHandler;
    private boolean rtpClosed;
    protected volatile CallListener listener = new CallListener() { };
    protected Dialog dialog;
    protected NegotiatedMedia media;
    /** The codecs this call negotiates with: the agent's ({@code [media] codecs}) unless narrowed for it. */
    protected volatile OfferAnswer offerAnswer;
    protected MediaDirection localWish = MediaDirection.SENDRECV;
    private final long sdpSessionId = System.currentTimeMillis() / 1000;
    /** The m-line protocol of our SDP, and our SDES key when the media is SRTP (else null). */
    private String sdpProtocol = "RTP/AVP";
    private SdesCrypto localKey;
    private SdesCrypto remoteKey;
    /** With DTLS-SRTP: our a=setup, and the leg's handshake and keys (else null). */
    private String dtlsSetup;
    private DtlsSetup dtlsAgreed;
    private DtlsSrtpLeg dtlsLeg;
    /** An end decided before the ACK of our 2xx: a UAS may not send BYE before it (RFC 3261 section 15). */
    private CallEnd endAfterAck;
    private long sdpVersion = 1;
    private volatile boolean ended;
    private ScheduledFuture<?> sessionTimer;
    protected int sessionExpires;

    protected SipCall(SipAgent agent, String callId) {
        this.agent = agent;
        this.executor = new SerialExecutor(agent.callPool());
        this.callId = callId;
        this.logId = LogSafe.of(callId);
        this.offerAnswer = agent.offerAnswer();
    }

    /**
     * The call's RTP session, opened now if it is not yet (taking a port pair). Any thread.
     *
     * @throws IOException no port pair is free, or the call has ended
     */
    protected final RtpSession openRtp() throws IOException {
        RtpSession open = rtp;
        if (open != null) {
            return open;
        }
        synchronized (rtpLock) {
            if (rtp != null) {
                return rtp;
            }
            if (rtpClosed) {
                throw new IOException("call " + logId + " has ended");
            }
            RtpSession s = agent.newRtpSession(rtpListener());
            s.protect(protection);
            if (packetHandler != null) {
                s.setPacketHandler(packetHandler);
            }
            rtp = s;
            return s;
        }
    }

    private RtpSessionListener rtpListener() {
        return new RtpSessionListener() {
            @Override
            public void onNoMedia(long silentMillis) {
                executor.execute(() -> onNoMediaEvent(silentMillis));
            }

            @Override
            public void onTelephoneEvent(char digit, int durationMillis) {
                executor.execute(() -> listener.dtmf(digit));
            }

            @Override
            public void onLatched(InetSocketAddress from) {
                log.debug("call {}: RTP latched to {}", logId, from);
            }
        };
    }

    /** SRTP for the session, now or when it opens (the previous protection is closed, as the session does). */
    private void protect(RtpProtection p) {
        synchronized (rtpLock) {
            RtpProtection old = protection;
            protection = p;
            if (rtp != null) {
                rtp.protect(p);
            } else if (old != null && old != p) {
                old.close();
            }
        }
    }

    /** Frees the port pair if one was taken, or the protection that waited for it; no session opens after. */
    protected final void closeRtp() {
        synchronized (rtpLock) {
            rtpClosed = true;
            if (rtp != null) {
                rtp.close();
            } else if (protection != null) {
                protection.close();
            }
        }
    }

    public String callId() {
        return callId;
    }

    /**
     * The call's RTP session (local address, remote address, packets in and out), opened now if the
     * call had none yet: ask only once the call goes ahead (e.g. to bridge it).
     *
     * @throws UncheckedIOException no RTP port pair is free, or the call has ended
     */
    public RtpSession rtp() {
        try {
            return openRtp();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Where the session, once open, hands received RTP (the session's own setter works too once it is). */
    public void setPacketHandler(RtpPacketHandler handler) {
        synchronized (rtpLock) {
            packetHandler = handler;
            if (rtp != null) {
                rtp.setPacketHandler(handler);
            }
        }
    }

    /** The negotiated media once known, else null. */
    public NegotiatedMedia media() {
        return media;
    }

    public boolean isEnded() {
        return ended;
    }

    /** Hangs up: BYE when the call is up, else what fits the state (CANCEL, reject). */
    public abstract void hangUp();

    /** Sends DTMF digits as RFC 4733 events, 100 ms each with 50 ms between. */
    public void sendDtmf(String digits) {
        for (char d : digits.toCharArray()) {
            if (io.srproxy.media.rtp.TelephoneEvent.code(d) < 0) {
                throw new IllegalArgumentException("not a DTMF digit: '" + d + "' in \"" + digits + "\"");
            }
        }
        for (int i = 0; i < digits.length(); i++) {
            char d = digits.charAt(i);
            agent.scheduler().schedule(() -> executor.execute(() -> {
                RtpSession s = rtp;
                if (!ended && s != null) {
                    s.sendTelephoneEvent(d, 100);
                }
            }), i * 250L, TimeUnit.MILLISECONDS);
        }
    }

    // ---------------------------------------------------------------- in-dialog requests

    /** A request inside this call's dialog (called on a JAIN-SIP thread). */
    final void onInDialogRequest(RequestEvent event, ServerTransaction st) {
        executor.execute(() -> handleInDialog(event.getRequest(), st));
    }

    private void handleInDialog(Request request, ServerTransaction st) {
        switch (request.getMethod()) {
            case Request.INVITE -> onReInvite(request, st);
            case Request.UPDATE -> {
                refreshSessionTimer(request);
                respond(st, request, Response.OK, null, true);
            }
            case Request.BYE -> {
                respond(st, request, Response.OK, null, false);
                onRemoteBye();
            }
            case Request.INFO, Request.NOTIFY -> respond(st, request, Response.OK, null, false);
            case Request.ACK -> {
                stopTwoHundredRetransmissions(request);
                onAck(request);
                if (endAfterAck != null) {
                    sendByeAndEnd(endAfterAck);
                }
            }
            default -> respond(st, request, Response.METHOD_NOT_ALLOWED, null, false);
        }
    }

    /**
     * Makes sure the dialog counts this ACK: JAIN-SIP misses an ACK that overtakes the start of its
     * 2xx retransmission timer (busy machine), then resends our 200 for 64*T1 and reports the ACK as
     * never received. ACKs run on this executor after the task that sent the 200, so the timer exists now.
     */
    private void stopTwoHundredRetransmissions(Request ack) {
        if (dialog instanceof SIPDialog d) {
            long cseq = ((CSeqHeader) ack.getHeader(CSeqHeader.NAME)).getSeqNumber();
            if (DialogAcks.confirm(d, cseq)) {
                log.info("call {}: the stack had missed the ACK (JAIN-SIP issue 140); our 200 is no longer resent", logId);
            }
        }
    }

    /** A BYE from the peer, already answered 200. */
    protected void onRemoteBye() {
        end(new CallEnd(CallEnd.Cause.REMOTE_BYE, 0, "peer hung up"));
    }

    protected void onAck(Request ack) {
        // re-INVITE ACKs carry nothing we need (we never send an offer in a re-INVITE's 200 without one)
    }

    private void onReInvite(Request request, ServerTransaction st) {
        byte[] body = request.getRawContent();
        try {
            NegotiatedMedia next;
            if (body == null || body.length == 0) {
                next = media; // offer-less re-INVITE: we offer what we have in the 200
            } else {
                MediaDescription offer = Sdp.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8));
                acceptOfferSecurity(offer);
                next = media == null ? offerAnswer.negotiate(offer, localWish, true)
                        : offerAnswer.renegotiate(offer, localWish, media.audio());
            }
            if (next == null) {
                respond(st, request, Response.NOT_ACCEPTABLE_HERE, null, false);
                return;
            }
            openRtp(); // open since the answer or the INVITE; this only guards the order
            media = next;
            applyRemote(next);
            refreshSessionTimer(request);
            respond(st, request, Response.OK, localSdp(OfferAnswer.answerCodecs(next), next.localDirection()), true);
            log.info("call {}: re-INVITE, media now {} to {}", logId, next.localDirection(), next.remote().rtp());
            listener.mediaChanged(next);
        } catch (SdpException e) {
            log.warn("call {}: re-INVITE refused: {}", logId, LogSafe.of(e.getMessage()));
            respond(st, request, e.status(), null, false);
        } catch (IOException e) {
            log.warn("call {}: re-INVITE refused 503: {}", logId, e.getMessage());
            respond(st, request, Response.SERVICE_UNAVAILABLE, null, false);
        }
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /**
     * Points the RTP session at the remote side, unless it holds with c=0.0.0.0 or port 0. The
     * session must be open ({@link #openRtp}).
     */
    protected void applyRemote(NegotiatedMedia m) {
        RtpSession rtp = this.rtp;
        MediaDescription remote = m.remote();
        PayloadFormat te = m.telephoneEvent();
        rtp.setTelephoneEvent(te == null ? -1 : te.payloadType(), te == null ? 8000 : te.clockRate(), m.audio().clockRate());
        rtp.setPayloadTypes(expectedPayloadTypes(remote));
        if (!remote.holdAddress() && remote.rtp().getPort() != 0) {
            // the same SDP address again keeps a latch; only a new one reopens it
            rtp.setRemote(remote.rtp(), remote.rtcp(), remote.rtcpMux() && m.remote().rtcpMux());
            if (dtlsLeg != null) {
                dtlsLeg.begin(); // the peer's address is known: the handshake timeout starts (as client, the handshake)
            }
        }
    }

    /** What the peer may send us: the formats of its SDP and of our offer (an answer may reuse ours). */
    private int[] expectedPayloadTypes(MediaDescription remote) {
        return java.util.stream.Stream.concat(remote.codecs().stream(), offerAnswer.offerCodecs().stream())
                .mapToInt(PayloadFormat::payloadType).distinct().toArray();
    }

    /** Our SDP for this call; each new one gets a higher version (RFC 3264 section 8). The session must be open. */
    protected String localSdp(java.util.List<PayloadFormat> codecs, MediaDirection direction) {
        RtpSession rtp = this.rtp;
        boolean mux = media != null && media.remote().rtcpMux();
        return Sdp.write(agent.mediaAddress(), rtp.localRtpAddress().getPort(), codecs, 20, direction, mux,
                sdpSessionId, sdpVersion++, sdpProtocol, localKey == null ? null : localKey.attribute(),
                dtlsSetup == null ? null : agent.dtls().fingerprint(), dtlsSetup);
    }

    // ---------------------------------------------------------------- SDES-SRTP and DTLS-SRTP ([media] sip_srtp)

    private SipSecurity.Srtp srtpPolicy() {
        return agent.settings().security().srtp();
    }

    /**
     * Before our offer: RTP/SAVP with a key of ours (sip_srtp=offer, require), UDP/TLS/RTP/SAVP
     * with our fingerprint and a=setup:actpass (sip_srtp=dtls), plain RTP (off).
     */
    protected void prepareOfferSecurity() {
        switch (srtpPolicy()) {
            case OFF -> { }
            case DTLS -> {
                sdpProtocol = "UDP/TLS/RTP/SAVP";
                dtlsSetup = DtlsSetup.OFFER_SETUP;
            }
            default -> {
                sdpProtocol = "RTP/SAVP";
                localKey = SdesCrypto.generate(1);
            }
        }
    }

    /**
     * The answer to our offer: SRTP with its key; plain RTP only when we may (sip_srtp=offer and a
     * plain RTP/AVP answer), else 488 (the caller ends the call). Also 488 for an address our RTP
     * sockets cannot reach ({@link SipAgent#checkMediaFamily}).
     */
    protected void acceptAnswerSecurity(MediaDescription answer) throws SdpException {
        agent.checkMediaFamily(answer);
        if (DtlsSetup.OFFER_SETUP.equals(dtlsSetup)) {
            if (!DtlsSetup.wanted(answer)) {
                throw new SdpException(488, "answer is " + answer.protocol() + " without a=fingerprint to our DTLS-SRTP offer");
            }
            installDtls(DtlsSetup.answered(answer), answer.rtcpMux());
            return;
        }
        if (dtlsLeg != null) {
            return; // a re-INVITE's answer we do not read: the association stays
        }
        if (localKey == null) {
            if (answer.secureProfile()) {
                throw new SdpException(488, "answer is " + answer.protocol() + " to our plain RTP offer");
            }
            return;
        }
        SdesCrypto theirs = SdesCrypto.firstUsable(answer.crypto());
        if (theirs == null) {
            if (srtpPolicy() == SipSecurity.Srtp.REQUIRE || answer.secureProfile()) {
                throw new SdpException(488, "answer has no usable a=crypto (" + answer.protocol()
                        + "; we offered " + SdesCrypto.SUITE + ", [media] sip_srtp=" + srtpPolicy().name().toLowerCase() + ")");
            }
            sdpProtocol = "RTP/AVP"; // sip_srtp=offer: the peer does plain RTP
            localKey = null;
            installKeys(null);
            return;
        }
        installKeys(theirs);
    }

    /**
     * An offer (INVITE or re-INVITE): SRTP when it carries a key we take and sip_srtp allows;
     * 488 when it asks for SRTP we cannot do, or for plain RTP under sip_srtp=require, or names an
     * address our RTP sockets cannot reach ({@link SipAgent#checkMediaFamily}).
     */
    protected void acceptOfferSecurity(MediaDescription offer) throws SdpException {
        agent.checkMediaFamily(offer);
        SipSecurity.Srtp policy = srtpPolicy();
        if (DtlsSetup.wanted(offer)) {
            if (policy == SipSecurity.Srtp.OFF) {
                throw new SdpException(488, offer.protocol() + " (DTLS-SRTP) offered but [media] sip_srtp=off");
            }
            DtlsSetup setup = DtlsSetup.reanswering(offer, dtlsLeg == null ? null : dtlsAgreed);
            sdpProtocol = offer.protocol();
            localKey = null;
            installDtls(setup, offer.rtcpMux());
            return;
        }
        SdesCrypto theirs = SdesCrypto.firstUsable(offer.crypto());
        if (policy == SipSecurity.Srtp.OFF) {
            if (offer.secureProfile()) {
                throw new SdpException(488, offer.protocol() + " offered but [media] sip_srtp=off");
            }
            theirs = null; // best-effort keys on RTP/AVP: answered as plain RTP
        } else if (theirs == null) {
            if (offer.secureProfile()) {
                throw new SdpException(488, offer.protocol() + " offered without a usable a=crypto (we take "
                        + SdesCrypto.SUITE + " without MKI)");
            }
            if (policy == SipSecurity.Srtp.REQUIRE || policy == SipSecurity.Srtp.DTLS) {
                throw new SdpException(488, "plain RTP offered but [media] sip_srtp=" + policy.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (theirs == null) {
            sdpProtocol = "RTP/AVP";
            localKey = null;
            installKeys(null);
            return;
        }
        sdpProtocol = offer.secureProfile() ? "RTP/SAVP" : "RTP/AVP";
        localKey = (localKey == null ? SdesCrypto.generate(theirs.tag()) : localKey).withTag(theirs.tag());
        installKeys(theirs);
    }

    /**
     * Hands DTLS-SRTP to the media side: a new association unless the peer's fingerprint and the
     * roles are those of the one we have (a re-INVITE keeps it, RFC 5763 section 5).
     */
    private void installDtls(DtlsSetup setup, boolean rtcpMux) {
        dtlsSetup = setup.ourSetup();
        dtlsAgreed = setup;
        DtlsSrtpLeg.Role role = setup.weAreClient()
                ? DtlsSrtpLeg.Role.CLIENT : DtlsSrtpLeg.Role.SERVER;
        if (dtlsLeg != null && dtlsLeg.role() == role && dtlsLeg.peerFingerprint().equalsIgnoreCase(setup.peerFingerprint())) {
            return;
        }
        remoteKey = null;
        DtlsSrtpLeg[] self = new DtlsSrtpLeg[1];
        self[0] = agent.dtls().open(role, setup.peerFingerprint(), rtcpMux, this::sendHandshake,
                new DtlsSrtpLeg.Listener() {
                    @Override
                    public void secure(SrtpProfile profile) {
                        executor.execute(() -> log.info("call {}: DTLS-SRTP ({}, we are {}) on the media", logId, profile, role));
                    }

                    @Override
                    public void failed(String reason) {
                        executor.execute(() -> {
                            if (dtlsLeg == self[0] && !ended) {
                                log.warn("call {}: {}, hanging up", logId, reason);
                                CallEnd end = new CallEnd(CallEnd.Cause.MEDIA_ERROR, 0, reason);
                                if (awaitingAck()) {
                                    endAfterAck = end; // the BYE follows the ACK (or the ACK timeout ends the call)
                                } else {
                                    sendByeAndEnd(end);
                                }
                            }
                        });
                    }
                });
        dtlsLeg = self[0];
        protect(dtlsLeg);
    }

    /** A DTLS record to the peer on the media ports; false while there is no session or no peer address yet. */
    private boolean sendHandshake(boolean rtcpComponent, byte[] buf, int off, int len) {
        RtpSession s = rtp;
        return s != null && s.sendHandshake(rtcpComponent, buf, off, len);
    }

    /** Hands the keys to the media side (a new SRTP context only when the peer's key changed). */
    private void installKeys(SdesCrypto theirs) {
        if (dtlsLeg != null) {
            protect(null); // from DTLS-SRTP to SDES or plain RTP
            dtlsLeg = null;
            dtlsSetup = null;
            dtlsAgreed = null;
        }
        if (theirs == null) {
            if (remoteKey != null) {
                protect(null);
                remoteKey = null;
            }
            return;
        }
        if (remoteKey != null && java.util.Arrays.equals(remoteKey.keySalt(), theirs.keySalt())) {
            return;
        }
        remoteKey = theirs;
        protect(io.srproxy.rtc.webrtc.SdesSrtp.aesCm128HmacSha1_80(localKey.keySalt(), theirs.keySalt()));
        log.info("call {}: SRTP ({}) on the media", logId, SdesCrypto.SUITE);
    }

    /** Whether this call's media is SRTP. */
    public boolean srtp() {
        RtpSession s = rtp;
        return s != null && s.isProtected();
    }

    /** Sends a response on {@code st}; {@code contact} adds our Contact (needed on 1xx/2xx to INVITE). */
    protected void respond(ServerTransaction st, Request request, int status, String sdp, boolean contact) {
        respond(st, request, status, sdp, contact, null);
    }

    /** As above, with {@code extra} (e.g. a Warning saying why) when not null. */
    protected void respond(ServerTransaction st, Request request, int status, String sdp, boolean contact, Header extra) {
        try {
            Response r = agent.messages().createResponse(status, request);
            if (extra != null) {
                r.addHeader(extra);
            }
            if (contact) {
                r.addHeader(agent.requests().contactHeader(localUser(), secureDialog(), agent.tlsPort()));
            }
            if (sdp != null) {
                ContentTypeHeader ct = agent.headers().createContentTypeHeader("application", "sdp");
                r.setContent(sdp, ct);
            }
            if (status == Response.OK && sessionExpires > 0
                    && (Request.INVITE.equals(request.getMethod()) || Request.UPDATE.equals(request.getMethod()))) {
                r.addHeader(agent.headers().createHeader("Session-Expires", sessionExpires + ";refresher=uac"));
                r.addHeader(agent.headers().createRequireHeader("timer"));
            }
            decorateResponse(r);
            if (st != null) {
                st.sendResponse(r);
            } else {
                agent.provider().sendResponse(r);
            }
        } catch (Exception e) {
            log.warn("call {}: cannot send {} to {}: {}", logId, status, request.getMethod(), e.toString());
        }
    }

    /** Whether we sent a 2xx to an INVITE whose ACK has not come yet (the UAS only). */
    protected boolean awaitingAck() {
        return false;
    }

    /** Hook for subclasses (the UAS sets its To tag). */
    protected void decorateResponse(Response r) {}

    /** Whether a {@code sips:} request opened the dialog, so our Contact must be {@code sips:} too. */
    protected boolean secureDialog() {
        return false;
    }

    /** The local user of this call (our Contact user). */
    protected abstract String localUser();

    /** Sends BYE in the dialog (if confirmed) and ends the call with {@code end}. */
    protected void sendByeAndEnd(CallEnd end) {
        if (ended) {
            return;
        }
        sendBye();
        end(end);
    }

    protected void sendBye() {
        if (dialog == null || dialog.getState() == DialogState.TERMINATED) {
            return;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            ClientTransaction ct = agent.newClientTransaction(bye);
            ct.setApplicationData(TransactionOwner.IGNORE);
            dialog.sendRequest(ct);
        } catch (Exception e) {
            log.warn("call {}: cannot send BYE: {}", logId, e.toString());
        }
    }

    /** Ends the call once: stops timers, frees RTP, forgets the dialog, tells the listener. */
    protected void end(CallEnd end) {
        if (ended) {
            return;
        }
        ended = true;
        cancelSessionTimer();
        onEnding();
        closeRtp();
        agent.forget(this);
        log.info("call {} ended: {}", logId, end);
        listener.ended(end);
    }

    /** Subclass clean-up before the listener hears of the end. */
    protected void onEnding() {}

    private void onNoMediaEvent(long silentMillis) {
        if (ended || media == null || !media.localDirection().receives()) {
            return; // on hold nobody has to send us anything
        }
        log.warn("call {}: no RTP for {} ms, hanging up", logId, silentMillis);
        sendByeAndEnd(new CallEnd(CallEnd.Cause.NO_MEDIA, 0, "no RTP for " + silentMillis / 1000 + " s"));
    }

    /** Agent shutdown: BYE or cancel whatever is in progress. */
    abstract void shutdown();

    final void runOnExecutor(Runnable r) {
        executor.execute(r);
    }

    // ---------------------------------------------------------------- session timers (RFC 4028)

    /**
     * Reads Session-Expires (compact form x) from an INVITE/UPDATE of a peer that supports timers;
     * we answer refresher=uac, so the peer refreshes and we only watch (RFC 4028 section 9).
     */
    protected void readSessionTimer(Request request) {
        Header h = request.getHeader("Session-Expires");
        if (h == null) {
            h = request.getHeader("x");
        }
        if (h == null || !peerSupportsTimer(request)) {
            sessionExpires = 0;
            return;
        }
        String value = h.toString().substring(h.toString().indexOf(':') + 1).trim();
        try {
            sessionExpires = Math.max(90, Integer.parseInt(value.split(";")[0].trim())); // 90 s: RFC 4028 Min-SE
        } catch (NumberFormatException e) {
            sessionExpires = 0;
        }
    }

    private static boolean peerSupportsTimer(Request request) {
        for (String name : new String[] {"Supported", "k", "Require"}) {
            for (java.util.ListIterator<?> it = request.getHeaders(name); it.hasNext(); ) {
                if (it.next().toString().toLowerCase(java.util.Locale.ROOT).contains("timer")) {
                    return true;
                }
            }
        }
        return false;
    }

    protected void armSessionTimer() {
        cancelSessionTimer();
        if (sessionExpires > 0) {
            sessionTimer = agent.scheduler().schedule(() -> executor.execute(() -> sendByeAndEnd(
                    new CallEnd(CallEnd.Cause.SESSION_EXPIRED, 0, "no session refresh in " + sessionExpires + " s"))),
                    sessionExpires, TimeUnit.SECONDS);
        }
    }

    private void refreshSessionTimer(Request request) {
        if (sessionExpires > 0 || request.getHeader("Session-Expires") != null) {
            readSessionTimer(request);
            armSessionTimer();
        }
    }

    private void cancelSessionTimer() {
        if (sessionTimer != null) {
            sessionTimer.cancel(false);
            sessionTimer = null;
        }
    }
}
