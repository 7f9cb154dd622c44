package io.srproxy.sip;

import io.srproxy.media.PayloadFormat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import javax.sdp.Attribute;
import javax.sdp.Connection;
import javax.sdp.Media;
import javax.sdp.SdpException;
import javax.sdp.SdpFactory;
import javax.sdp.SessionDescription;

/** Reads and writes the audio SDP srproxy exchanges, through JAIN-SIP's SDP implementation. */
public final class Sdp {

    private static final SdpFactory FACTORY = SdpFactory.getInstance();

    private Sdp() {}

    /** The first audio m-line of {@code body}; 400 when unparsable, 488 when there is no audio. */
    public static MediaDescription parse(String body) throws io.srproxy.sip.SdpException {
        if (body == null || !body.stripLeading().startsWith("v=")) {
            throw new io.srproxy.sip.SdpException(400, "body is not SDP (it must start with v=)");
        }
        try {
            SessionDescription sd = FACTORY.createSessionDescription(body);
            Connection sessionConn = sd.getConnection();
            MediaDirection sessionDir = direction(sd.getAttributes(false), MediaDirection.SENDRECV);
            @SuppressWarnings("unchecked")
            Vector<javax.sdp.MediaDescription> mds = sd.getMediaDescriptions(false);
            if (mds != null) {
                for (javax.sdp.MediaDescription md : mds) {
                    Media m = md.getMedia();
                    if (!"audio".equalsIgnoreCase(m.getMediaType())) {
                        continue;
                    }
                    Connection c = md.getConnection() != null ? md.getConnection() : sessionConn;
                    if (c == null) {
                        throw new io.srproxy.sip.SdpException(400, "SDP has no connection address");
                    }
                    return audio(md, c.getAddress(), sessionDir, attribute(sd.getAttributes(false), "fingerprint"),
                            attribute(sd.getAttributes(false), "setup"));
                }
            }
            throw new io.srproxy.sip.SdpException(488, "SDP offers no audio stream");
        } catch (SdpException | RuntimeException e) {
            throw new io.srproxy.sip.SdpException(400, "unparsable SDP: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static MediaDescription audio(javax.sdp.MediaDescription md, String host, MediaDirection sessionDir,
                                          String sessionFingerprint, String sessionSetup)
            throws SdpException, io.srproxy.sip.SdpException {
        Media m = md.getMedia();
        Vector<String> formats = m.getMediaFormats(false);
        Vector<Attribute> attrs = md.getAttributes(false);
        Map<Integer, PayloadFormat> mapped = new HashMap<>();
        int ptime = 20;
        boolean mux = false;
        InetSocketAddress rtcp = null;
        List<String> crypto = new ArrayList<>();
        InetAddress addr = address(host);
        String fingerprint = attribute(attrs, "fingerprint");
        String setup = attribute(attrs, "setup");
        if (attrs != null) {
            for (Attribute a : attrs) {
                String name = a.getName();
                String value = a.getValue();
                if ("rtpmap".equalsIgnoreCase(name) && value != null) {
                    PayloadFormat c = rtpmap(value);
                    if (c != null) {
                        mapped.put(c.payloadType(), c);
                    }
                } else if ("ptime".equalsIgnoreCase(name) && value != null) {
                    ptime = Integer.parseInt(value.trim());
                } else if ("crypto".equalsIgnoreCase(name) && value != null && crypto.size() < 16) {
                    crypto.add(value);
                } else if ("rtcp-mux".equalsIgnoreCase(name)) {
                    mux = true;
                } else if ("rtcp".equalsIgnoreCase(name) && value != null) {
                    String[] parts = value.trim().split("\\s+");
                    InetAddress rtcpAddr = parts.length >= 4 ? address(parts[3]) : addr;
                    rtcp = new InetSocketAddress(rtcpAddr, Integer.parseInt(parts[0]));
                }
            }
        }
        List<PayloadFormat> codecs = new ArrayList<>();
        if (formats != null) {
            for (String f : formats) {
                int pt = Integer.parseInt(f.trim());
                PayloadFormat c = mapped.get(pt);
                if (c == null) {
                    c = switch (pt) { // static payload types (RFC 3551) need no rtpmap
                        case 0 -> PayloadFormat.PCMU;
                        case 8 -> PayloadFormat.PCMA;
                        case 9 -> PayloadFormat.G722;
                        default -> new PayloadFormat(pt, "unknown", 0, 1, "");
                    };
                }
                codecs.add(c);
            }
        }
        return new MediaDescription(host, new InetSocketAddress(addr, m.getMediaPort()), rtcp, List.copyOf(codecs),
                ptime, direction(attrs, sessionDir), mux, m.getProtocol() == null ? "RTP/AVP" : m.getProtocol().trim(),
                List.copyOf(crypto), fingerprint != null ? fingerprint : sessionFingerprint, setup != null ? setup : sessionSetup);
    }

    /** The first {@code a=name} value of {@code attrs} (trimmed, at most 200 characters), or null. */
    @SuppressWarnings("rawtypes")
    private static String attribute(Vector attrs, String name) throws SdpException {
        if (attrs != null) {
            for (Object o : attrs) {
                Attribute a = (Attribute) o;
                if (name.equalsIgnoreCase(a.getName()) && a.getValue() != null) {
                    String v = a.getValue().trim();
                    return v.length() > 200 ? v.substring(0, 200) : v;
                }
            }
        }
        return null;
    }

    /**
     * The connection address, which must be an IP literal: a name would make srproxy resolve
     * whatever a peer writes, blocking a SIP thread on DNS (phones and servers write literals).
     */
    private static InetAddress address(String host) throws io.srproxy.sip.SdpException {
        boolean literal = !host.isEmpty() && (host.indexOf(':') >= 0 ? host.chars().allMatch(c ->
                Character.digit(c, 16) >= 0 || c == ':' || c == '.') : host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
        if (!literal) {
            throw new io.srproxy.sip.SdpException(488, "SDP connection address is not an IP address: " + host);
        }
        try {
            return InetAddress.getByName(host); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new io.srproxy.sip.SdpException(400, "SDP connection address not resolvable: " + host);
        }
    }

    private static PayloadFormat rtpmap(String value) {
        String[] parts = value.trim().split("\\s+", 2);
        if (parts.length != 2) {
            return null;
        }
        String[] enc = parts[1].split("/");
        int channels = enc.length > 2 ? Integer.parseInt(enc[2]) : 1;
        int clockRate = enc.length > 1 ? Integer.parseInt(enc[1]) : 8000;
        if (channels < 1 || clockRate < 1) { // our answer could not echo them (RFC 4566: channels default to 1)
            throw new IllegalArgumentException("a=rtpmap:" + value.trim() + " needs a clock rate and channel count of at least 1");
        }
        return new PayloadFormat(Integer.parseInt(parts[0]), enc[0], clockRate, channels, "");
    }

    private static MediaDirection direction(Vector<Attribute> attrs, MediaDirection fallback) throws SdpException {
        if (attrs != null) {
            for (Attribute a : attrs) {
                for (MediaDirection d : MediaDirection.values()) {
                    if (d.attribute().equalsIgnoreCase(a.getName())) {
                        return d;
                    }
                }
            }
        }
        return fallback;
    }

    /**
     * Writes an SDP body for our side: {@code address} is what peers send to (public_ip when set),
     * {@code sessionVersion} must grow with every new offer or answer in the dialog.
     */
    public static String write(String address, int port, List<PayloadFormat> codecs, int ptime, MediaDirection direction,
                               boolean rtcpMux, long sessionId, long sessionVersion) {
        return write(address, port, codecs, ptime, direction, rtcpMux, sessionId, sessionVersion, "RTP/AVP", null);
    }

    /** As above, on the m-line's {@code protocol} and with our {@code a=crypto} value (null = none). */
    public static String write(String address, int port, List<PayloadFormat> codecs, int ptime, MediaDirection direction,
                               boolean rtcpMux, long sessionId, long sessionVersion, String protocol, String crypto) {
        return write(address, port, codecs, ptime, direction, rtcpMux, sessionId, sessionVersion, protocol, crypto, null, null);
    }

    /** As above, with our DTLS-SRTP {@code a=fingerprint} and {@code a=setup} values (null = none). */
    public static String write(String address, int port, List<PayloadFormat> codecs, int ptime, MediaDirection direction,
                               boolean rtcpMux, long sessionId, long sessionVersion, String protocol, String crypto,
                               String fingerprint, String setup) {
        try {
            String ipType = address.contains(":") ? "IP6" : "IP4";
            SessionDescription sd = FACTORY.createSessionDescription();
            sd.setVersion(FACTORY.createVersion(0));
            sd.setOrigin(FACTORY.createOrigin("srproxy", sessionId, sessionVersion, "IN", ipType, address));
            sd.setSessionName(FACTORY.createSessionName("srproxy"));
            sd.setConnection(FACTORY.createConnection("IN", ipType, address));
            Vector<javax.sdp.Time> times = new Vector<>();
            times.add(FACTORY.createTime());
            sd.setTimeDescriptions(times);
            int[] formats = codecs.stream().mapToInt(PayloadFormat::payloadType).toArray();
            javax.sdp.MediaDescription md = FACTORY.createMediaDescription("audio", port, 1, protocol, formats);
            Vector<Attribute> attrs = new Vector<>();
            if (crypto != null) {
                attrs.add(FACTORY.createAttribute("crypto", crypto));
            }
            if (fingerprint != null) {
                attrs.add(FACTORY.createAttribute("fingerprint", fingerprint));
                attrs.add(FACTORY.createAttribute("setup", setup));
            }
            for (PayloadFormat c : codecs) {
                attrs.add(FACTORY.createAttribute("rtpmap", c.rtpmap()));
                if (c.isTelephoneEvent()) {
                    attrs.add(FACTORY.createAttribute("fmtp", c.payloadType() + " 0-16"));
                } else if (c.name().equalsIgnoreCase("opus")) {
                    attrs.add(FACTORY.createAttribute("fmtp", c.payloadType() + " useinbandfec=1"));
                }
            }
            attrs.add(FACTORY.createAttribute("ptime", Integer.toString(ptime)));
            if (rtcpMux) {
                attrs.add(FACTORY.createAttribute("rtcp-mux", null));
            }
            attrs.add(FACTORY.createAttribute(direction.attribute(), null));
            md.setAttributes(attrs);
            Vector<javax.sdp.MediaDescription> mds = new Vector<>();
            mds.add(md);
            sd.setMediaDescriptions(mds);
            return sd.toString();
        } catch (SdpException e) {
            throw new IllegalStateException("cannot build SDP: " + e.getMessage(), e);
        }
    }
}
