package io.srproxy.rtc.webrtc;

import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.RtcException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a browser's SDP offer (JSEP, unified plan, BUNDLE) an ICE-lite DTLS-SRTP answerer
 * needs: ICE credentials, the DTLS fingerprint and role, and per m-line the kind, mid, direction
 * and payload formats. Anything malformed gives an {@link RtcException} "bad-sdp" naming it.
 */
public record SdpOffer(String iceUfrag, String icePwd, String fingerprintSha256, String setup, List<Media> media) {

    /** One offered payload format with its {@code a=rtcp-fb} values (which only the offer's parse keeps). */
    public record Format(PayloadFormat format, List<String> rtcpFb) {

        public int payloadType() {
            return format.payloadType();
        }

        public String name() {
            return format.name();
        }

        public int clockRate() {
            return format.clockRate();
        }

        public int channels() {
            return format.channels();
        }

        public String fmtp() {
            return format.fmtp();
        }
    }

    /**
     * One m-line; {@code proto} and {@code fmts} as written, for echoing a rejected line;
     * {@code extmaps}: header extension URI to id (RFC 8285); {@code sendRids}: the rids of
     * {@code a=simulcast:send} (RFC 8853) that have an {@code a=rid:... send}, in the offer's order.
     */
    public record Media(String type, int port, String proto, String fmts, String mid, String direction, boolean rtcpMux,
                        List<Format> formats, Map<String, Integer> extmaps, List<String> sendRids) {

        /** The id the offer gives header extension {@code uri}, or 0 when it does not offer it. */
        public int extmapId(String uri) {
            return extmaps.getOrDefault(uri, 0);
        }
    }

    /** At most this many a=extmap and a=rid lines are kept per m-line (browsers offer about ten). */
    static final int MAX_EXTMAPS = 32;

    public static final int MAX_SDP_BYTES = 32 * 1024;

    public static SdpOffer parse(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw bad("the offer is empty");
        }
        if (sdp.length() > MAX_SDP_BYTES) {
            throw bad("the offer is longer than " + MAX_SDP_BYTES + " bytes");
        }
        String ufrag = null;
        String pwd = null;
        String fingerprint = null;
        String setup = null;
        List<Media> media = new ArrayList<>();
        MediaBuilder current = null;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.length() < 2 || line.charAt(1) != '=') {
                continue;
            }
            char kind = line.charAt(0);
            String value = line.substring(2);
            if (kind == 'm') {
                if (current != null) {
                    media.add(current.build());
                }
                current = MediaBuilder.of(value);
                continue;
            }
            if (kind != 'a') {
                continue;
            }
            int colon = value.indexOf(':');
            String attr = colon < 0 ? value : value.substring(0, colon);
            String arg = colon < 0 ? "" : value.substring(colon + 1).strip();
            switch (attr) {
                case "ice-ufrag" -> ufrag = ufrag == null ? arg : ufrag;
                case "ice-pwd" -> pwd = pwd == null ? arg : pwd;
                case "fingerprint" -> {
                    String[] p = arg.split("\\s+");
                    if (p.length == 2 && p[0].equalsIgnoreCase("sha-256") && fingerprint == null) {
                        fingerprint = p[1].toUpperCase(Locale.ROOT);
                    }
                }
                case "setup" -> setup = setup == null ? arg : setup;
                default -> {
                    if (current != null) {
                        current.attribute(attr, arg);
                    }
                }
            }
        }
        if (current != null) {
            media.add(current.build());
        }
        if (media.isEmpty()) {
            throw bad("the offer has no m-line");
        }
        if (ufrag == null || pwd == null) {
            throw bad("the offer has no a=ice-ufrag/a=ice-pwd");
        }
        if (fingerprint == null) {
            throw bad("the offer has no a=fingerprint:sha-256");
        }
        return new SdpOffer(ufrag, pwd, fingerprint, setup == null ? "actpass" : setup, List.copyOf(media));
    }

    private static RtcException bad(String why) {
        return new RtcException("bad-sdp", why);
    }

    /** The port a bundle-only m-line is read as: any non-zero value; 9 is the usual placeholder. */
    static final int BUNDLED_PORT = 9;

    private static final class MediaBuilder {
        final String type;
        final int port;
        final String proto;
        final String fmts;
        final Map<Integer, String[]> rtpmap = new LinkedHashMap<>();
        final Map<Integer, String> fmtp = new LinkedHashMap<>();
        final Map<Integer, List<String>> fb = new LinkedHashMap<>();
        final List<Integer> order = new ArrayList<>();
        String mid = "";
        String direction = "sendrecv";
        boolean rtcpMux;
        boolean bundleOnly;
        final Map<String, Integer> extmaps = new LinkedHashMap<>();
        final List<String> rids = new ArrayList<>();
        String simulcastSend = "";

        private MediaBuilder(String type, int port, String proto, String fmts) {
            this.type = type;
            this.port = port;
            this.proto = proto;
            this.fmts = fmts;
        }

        static MediaBuilder of(String mline) {
            String[] p = mline.split("\\s+");
            if (p.length < 3) {
                throw bad("malformed m-line '" + mline + "'");
            }
            MediaBuilder b;
            try {
                String fmts = p.length > 3 ? String.join(" ", java.util.Arrays.copyOfRange(p, 3, p.length)) : "0";
                b = new MediaBuilder(p[0], Integer.parseInt(p[1]), p[2], fmts);
                for (int i = 3; i < p.length; i++) {
                    if (p[i].chars().allMatch(Character::isDigit)) {
                        b.order.add(Integer.parseInt(p[i]));
                    }
                }
            } catch (NumberFormatException e) {
                throw bad("malformed m-line '" + mline + "'");
            }
            return b;
        }

        void attribute(String attr, String arg) {
            switch (attr) {
                case "mid" -> mid = arg;
                case "sendrecv", "sendonly", "recvonly", "inactive" -> direction = attr;
                case "rtcp-mux" -> rtcpMux = true;
                case "bundle-only" -> bundleOnly = true;
                case "rtpmap" -> {
                    String[] p = arg.split("\\s+", 2);
                    if (p.length == 2) {
                        rtpmap.put(pt(p[0]), p[1].split("/"));
                    }
                }
                case "fmtp" -> {
                    String[] p = arg.split("\\s+", 2);
                    if (p.length == 2) {
                        fmtp.put(pt(p[0]), p[1]);
                    }
                }
                case "rtcp-fb" -> {
                    String[] p = arg.split("\\s+", 2);
                    if (p.length == 2 && !p[0].equals("*")) {
                        fb.computeIfAbsent(pt(p[0]), k -> new ArrayList<>()).add(p[1]);
                    }
                }
                case "extmap" -> {
                    // a=extmap:<id>[/<direction>] <uri> [<attributes>]
                    String[] p = arg.split("\\s+");
                    if (p.length >= 2 && extmaps.size() < MAX_EXTMAPS) {
                        String id = p[0].split("/", 2)[0];
                        try {
                            int v = Integer.parseInt(id);
                            if (v >= 1 && v <= 255) {
                                extmaps.putIfAbsent(p[1], v);
                            }
                        } catch (NumberFormatException e) {
                            throw bad("a=extmap id '" + id + "' is not a number");
                        }
                    }
                }
                case "rid" -> {
                    // a=rid:<rid-id> send [<restrictions>]
                    String[] p = arg.split("\\s+");
                    if (p.length >= 2 && p[1].equals("send") && rids.size() < MAX_EXTMAPS && !rids.contains(p[0])) {
                        rids.add(p[0]);
                    }
                }
                case "simulcast" -> {
                    String[] p = arg.split("\\s+");
                    if (p.length >= 2 && p[0].equals("send")) {
                        simulcastSend = p[1];
                    }
                }
                default -> { }
            }
        }

        /** The rids of a=simulcast:send (alternatives "a,b" count by their first) that have an a=rid send line. */
        private List<String> sendRids() {
            List<String> out = new ArrayList<>();
            for (String layer : simulcastSend.split(";")) {
                String rid = layer.split(",")[0].strip();
                if (rid.startsWith("~")) {
                    continue; // paused by the offerer
                }
                if (rids.contains(rid) && !out.contains(rid)) {
                    out.add(rid);
                }
            }
            return List.copyOf(out);
        }

        private static int pt(String s) {
            try {
                int v = Integer.parseInt(s);
                if (v < 0 || v > 127) {
                    throw bad("payload type " + s + " out of range");
                }
                return v;
            } catch (NumberFormatException e) {
                throw bad("payload type '" + s + "' is not a number");
            }
        }

        Media build() {
            List<Format> formats = new ArrayList<>();
            for (int pt : order) {
                String[] m = rtpmap.get(pt);
                if (m == null) {
                    continue; // static types without rtpmap are not offered by browsers we serve
                }
                try {
                    int clock = m.length > 1 ? Integer.parseInt(m[1]) : 90000;
                    int ch = m.length > 2 ? Integer.parseInt(m[2]) : 1;
                    formats.add(new Format(new PayloadFormat(pt, m[0], clock, ch, fmtp.getOrDefault(pt, "")), fb.getOrDefault(pt, List.of())));
                } catch (NumberFormatException e) {
                    throw bad("malformed a=rtpmap for payload type " + pt);
                }
            }
            // RFC 8843 7.5.3: with max-bundle, Firefox offers every m-line after the first with port 0
            // and a=bundle-only; such a line is wanted (it rides the bundle's transport), not rejected
            int effectivePort = port == 0 && bundleOnly ? BUNDLED_PORT : port;
            return new Media(type, effectivePort, proto, fmts, mid, direction, rtcpMux, List.copyOf(formats),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extmaps)), sendRids());
        }
    }
}
