package io.srproxy.sip;

import gov.nist.javax.sip.message.SIPMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.ContentEncodingHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.RequireHeader;
import javax.sip.message.Request;

/**
 * The checks RFC 3261 section 8.2 has a UAS make before it handles a request, in its order:
 * method (405/501), Request-URI (416, 400), Require (420), body (415), Accept (406); before them,
 * what {@link WireSyntax} found on the wire (505, 400). ACK is never answered, so never screened.
 */
final class RequestScreening {

    /** The methods we handle; the Allow header of our refusals lists them. */
    private static final Set<String> HANDLED = Set.of(SipRequests.ALLOWED_METHODS.split(",\\s*"));
    /** Methods of RFC 3261 and its extensions that we know but do not take (405, not 501). */
    private static final Set<String> KNOWN_ELSEWHERE = Set.of(Request.REGISTER, Request.MESSAGE, Request.SUBSCRIBE,
            Request.NOTIFY, Request.PUBLISH, Request.REFER, Request.PRACK);
    /** Option tags we support in Require: session timers (RFC 4028; we answer refresher=uac). */
    private static final Set<String> SUPPORTED = Set.of("timer");
    private static final Set<String> URI_SCHEMES = Set.of("sip", "sips", "tel");

    private RequestScreening() {}

    /** The refusal this request gets before any call sees it, or empty when it may go on. */
    static Optional<Refusal> screen(Request request) {
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            return Optional.empty();
        }
        if (request instanceof SIPMessage m && m.getApplicationData() instanceof Refusal wire) {
            return Optional.of(wire);
        }
        if (!HANDLED.contains(method) && !Request.NOTIFY.equals(method)) {
            return Optional.of(notHandled(method)); // NOTIFY is taken inside a call's dialog
        }
        URI uri = request.getRequestURI();
        if (!URI_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return Optional.of(Refusal.of(416, "Unsupported URI Scheme (" + uri.getScheme() + ")"));
        }
        if (uri instanceof SipURI sip && sip.getHeaderNames().hasNext()) {
            return Optional.of(Refusal.of(400, "Bad Request-URI (it may not carry headers)"));
        }
        if (!Request.CANCEL.equals(method)) {
            List<String> unsupported = unsupportedRequirements(request);
            if (!unsupported.isEmpty()) {
                return Optional.of(Refusal.of(420, "Bad Extension", "Unsupported", String.join(", ", unsupported)));
            }
        }
        if (Request.INVITE.equals(method) || Request.UPDATE.equals(method)) {
            return bodyProblem(request);
        }
        return Optional.empty();
    }

    /** The answer to a request of a method we do not take (outside a call's dialog for NOTIFY). */
    static Refusal notHandled(String method) {
        return KNOWN_ELSEWHERE.contains(method)
                ? Refusal.of(405, "Method Not Allowed", "Allow", SipRequests.ALLOWED_METHODS)
                : Refusal.of(501, "Not Implemented", "Allow", SipRequests.ALLOWED_METHODS);
    }

    private static List<String> unsupportedRequirements(Request request) {
        List<String> unsupported = new ArrayList<>();
        for (ListIterator<?> it = request.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            Object h = it.next();
            String tag = h instanceof RequireHeader r ? r.getOptionTag() : String.valueOf(h);
            if (tag != null && !SUPPORTED.contains(tag.trim().toLowerCase(Locale.ROOT))) {
                unsupported.add(tag.trim());
            }
        }
        return unsupported;
    }

    /** We understand SDP only, unencoded, and answer with nothing else (RFC 3261 8.2.3, RFC 4475 3.3.15). */
    private static Optional<Refusal> bodyProblem(Request request) {
        byte[] body = request.getRawContent();
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        if (body != null && body.length > 0 && type != null && !isSdp(type.getContentType(), type.getContentSubType())) {
            return Optional.of(Refusal.of(415, "Unsupported Media Type (" + type.getContentType() + "/"
                    + type.getContentSubType() + ")", "Accept", "application/sdp"));
        }
        ContentEncodingHeader encoding = (ContentEncodingHeader) request.getHeader(ContentEncodingHeader.NAME);
        if (body != null && body.length > 0 && encoding != null && !"identity".equalsIgnoreCase(encoding.getEncoding())) {
            return Optional.of(Refusal.of(415, "Unsupported Media Type (encoding " + encoding.getEncoding() + ")",
                    "Accept-Encoding", "identity"));
        }
        boolean anyAccept = false;
        for (ListIterator<?> it = request.getHeaders(AcceptHeader.NAME); it.hasNext(); ) {
            if (it.next() instanceof AcceptHeader a && a.getContentType() != null) {
                anyAccept = true;
                if (acceptsSdp(a.getContentType(), a.getContentSubType())) {
                    return Optional.empty();
                }
            }
        }
        return anyAccept ? Optional.of(Refusal.of(406, "Not Acceptable (our answers carry application/sdp)"))
                : Optional.empty();
    }

    private static boolean isSdp(String type, String subType) {
        return "application".equalsIgnoreCase(type) && "sdp".equalsIgnoreCase(subType);
    }

    private static boolean acceptsSdp(String type, String subType) {
        return ("*".equals(type) || "application".equalsIgnoreCase(type))
                && ("*".equals(subType) || "sdp".equalsIgnoreCase(subType));
    }
}
