package io.srproxy.sip;

import gov.nist.javax.sip.clientauthutils.AuthenticationHelper;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Builds the out-of-dialog requests the agent sends (REGISTER, INVITE, keepalive OPTIONS) and our
 * Contact, all naming the advertised address ({@code public_ip} or the local address) and the
 * transport toward the server ({@code sip_transport}): Via says it, Request-URIs and our Contact
 * carry {@code ;transport=tcp|tls} (so the server keeps using it toward us, in and out of
 * dialogs), with the TLS port for TLS.
 */
final class SipRequests {

    static final String USER_AGENT = "srproxy";
    /** The methods we take, for Allow headers. */
    static final String ALLOWED_METHODS = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO";

    private final SipSettings settings;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final String advertisedHost;
    private final int port;
    private final SipSecurity.Transport transport;
    private AuthenticationHelper auth;
    /** {@code urn:uuid:...} sent as {@code +sip.instance} on REGISTER; null = none (one node). */
    private volatile String instance;

    SipRequests(SipSettings settings, SipStackSetup sip, String advertisedHost) {
        this.settings = settings;
        this.addresses = sip.addresses();
        this.headers = sip.headers();
        this.messages = sip.messages();
        this.advertisedHost = advertisedHost;
        this.transport = settings.security().transport();
        this.port = transport == SipSecurity.Transport.TLS ? sip.tlsPort() : sip.port();
    }

    /** Set once at start-up, before any request is built: cached digest credentials for refreshes. */
    void useAuthentication(AuthenticationHelper helper) {
        this.auth = helper;
    }

    /** Set at start-up, before the first REGISTER: this node's instance id in a cluster. */
    void registerInstance(String urn) {
        this.instance = urn;
    }

    String advertisedHost() {
        return advertisedHost;
    }

    String contactUri(String user) {
        return "sip:" + user + "@" + hostForUri(advertisedHost) + ":" + port
                + (transport == SipSecurity.Transport.UDP ? "" : ";transport=" + transport.token());
    }

    ContactHeader contactHeader(String user) throws ParseException {
        return headers.createContactHeader(addresses.createAddress(contactUri(user)));
    }

    /**
     * Our Contact in a dialog a {@code sips:} request opened: a {@code sips:} URI on the TLS port
     * (RFC 3261 section 8.1.1.8), or the plain one when there is no TLS listening point.
     */
    ContactHeader contactHeader(String user, boolean sips, int tlsPort) throws ParseException {
        if (!sips || tlsPort == 0) {
            return contactHeader(user);
        }
        return headers.createContactHeader(addresses.createAddress(
                "sips:" + user + "@" + hostForUri(advertisedHost) + ":" + tlsPort));
    }

    Request newRegister(String user, String callId, long cseq, int expires) throws Exception {
        Address aor = addresses.createAddress(serverUri(user));
        Request r = newRequest(Request.REGISTER, withTransport(serverRoot(false)), aor, aor, callId, cseq);
        ContactHeader contact = contactHeader(user);
        if (instance != null) {
            // RFC 5627 instance id: the registrar replaces this node's earlier contact (a restart on
            // another port) and keeps the other nodes' contacts of the same account
            contact.setParameter("+sip.instance", "\"<" + instance + ">\"");
        }
        r.addHeader(contact);
        r.addHeader(headers.createExpiresHeader(expires));
        auth.setAuthenticationHeaders(r); // reuse cached credentials: one round trip per refresh
        return r;
    }

    Request newInvite(String callId, OutgoingCall.Target target, String sdp) throws Exception {
        Address from = addresses.createAddress(serverUri(target.fromUser()));
        if (target.displayName() != null && !target.displayName().isEmpty()) {
            from.setDisplayName(target.displayName());
        }
        SipURI callee = target.host() == null ? serverUri(target.number())
                : addresses.createSipURI(target.number(), hostForUri(target.host()));
        if (target.host() != null && target.port() > 0 && target.port() != 5060) {
            callee.setPort(target.port());
        }
        Request r = newRequest(Request.INVITE, withTransport((SipURI) callee.clone()), from, addresses.createAddress(callee),
                callId, 1);
        r.addHeader(contactHeader(target.fromUser()));
        r.addHeader(headers.createAllowHeader(ALLOWED_METHODS));
        // no "Supported: timer": we do not refresh sessions as UAC, so a peer wanting timers refreshes itself
        for (Map.Entry<String, String> h : target.headers().entrySet()) {
            r.addHeader(headers.createHeader(h.getKey(), h.getValue()));
        }
        ContentTypeHeader ct = headers.createContentTypeHeader("application", "sdp");
        r.setContent(sdp, ct);
        return r;
    }

    /** OPTIONS to the SIP server, from the proxy account: the keepalive that also proves the server is there. */
    Request newServerOptions(String callId) throws Exception {
        Address us = addresses.createAddress(serverUri(settings.account()));
        return newRequest(Request.OPTIONS, withTransport(serverRoot(true)), us, us, callId, 1);
    }

    /**
     * OPTIONS to our own registered address of record through the SIP server: a server that still
     * holds our registration routes it back to us (we answer 200); one that lost it (a restarted
     * registrar) answers 404 or 480 itself. So it proves what phones need, not only that the server is up.
     */
    Request newOwnAddressOptions(String user, String callId) throws Exception {
        SipURI aor = serverUri(user);
        Address us = addresses.createAddress(aor);
        return newRequest(Request.OPTIONS, withTransport((SipURI) aor.clone()), us, addresses.createAddress(serverUri(user)),
                callId, 1);
    }

    /** Whether a 401/407 says our nonce went stale (retry at once) rather than our password is wrong. */
    static boolean isStale(Response response) {
        for (String name : new String[] {WWWAuthenticateHeader.NAME, "Proxy-Authenticate"}) {
            Header h = response.getHeader(name);
            if (h instanceof WWWAuthenticateHeader w && "true".equalsIgnoreCase(w.getParameter("stale"))) {
                return true;
            }
            if (h != null && h.toString().toLowerCase(Locale.ROOT).contains("stale=true")) {
                return true;
            }
        }
        return false;
    }

    private Request newRequest(String method, URI requestUri, Address from, Address to, String callId, long cseq)
            throws Exception {
        ViaHeader via = headers.createViaHeader(advertisedHost, port, transport.token(), null);
        via.setRPort();
        List<ViaHeader> vias = new ArrayList<>();
        vias.add(via);
        CallIdHeader cid = headers.createCallIdHeader(callId);
        CSeqHeader cs = headers.createCSeqHeader(cseq, method);
        FromHeader fromHeader = headers.createFromHeader(from, tag());
        ToHeader toHeader = headers.createToHeader(to, null);
        MaxForwardsHeader mf = headers.createMaxForwardsHeader(70);
        Request r = messages.createRequest(requestUri, method, cid, cs, fromHeader, toHeader, vias, mf);
        r.addHeader(headers.createUserAgentHeader(List.of(USER_AGENT)));
        return r;
    }

    private SipURI serverUri(String user) throws ParseException {
        SipURI uri = addresses.createSipURI(user, hostForUri(settings.serverHost()));
        if (settings.serverPort() != 5060) {
            uri.setPort(settings.serverPort());
        }
        return uri;
    }

    /** {@code sip:server[:port]}; the port written always when {@code explicitPort}, else only when not 5060. */
    private SipURI serverRoot(boolean explicitPort) throws ParseException {
        SipURI uri = addresses.createSipURI(null, hostForUri(settings.serverHost()));
        if (explicitPort || settings.serverPort() != 5060) {
            uri.setPort(settings.serverPort());
        }
        return uri;
    }

    /** The Request-URI with {@code ;transport=} when not UDP: JAIN-SIP's router sends over what it names. */
    private SipURI withTransport(SipURI uri) throws ParseException {
        if (transport != SipSecurity.Transport.UDP) {
            uri.setTransportParam(transport.token());
        }
        return uri;
    }

    static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 10);
    }
}
