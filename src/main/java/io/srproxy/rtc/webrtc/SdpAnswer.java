package io.srproxy.rtc.webrtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.rtc.RtcException;
import io.srproxy.rtc.RtpExtensions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses codecs from an offer and writes our answer: ice-lite, our ICE credentials and DTLS
 * fingerprint, setup:passive, rtcp-mux, BUNDLE over the accepted m-lines, our SSRC per kind, and
 * one host candidate on the shared UDP port. Audio: Opus, or the G.711/G.722 format of the SIP leg
 * already in the channel when the offer has it (passthrough: the router then forwards instead of
 * transcoding), plus a telephone-event format for DTMF. Video: VP8 and H.264 (packetization mode
 * 1), with nack pli and ccm fir feedback.
 */
public final class SdpAnswer {

    /**
     * The local half of a WebRTC session. {@code addresses}: where apps may send media, the first
     * in {@code c=} lines (IPv4 or IPv6), every one a host candidate in that order.
     */
    public record Local(String iceUfrag, String icePwd, String fingerprint, List<String> addresses, int port,
                        long audioSsrc, long videoSsrc, String cname) {
        public Local {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("no address to advertise");
            }
            addresses = List.copyOf(addresses);
        }

        /** With one address. */
        public Local(String iceUfrag, String icePwd, String fingerprint, String ip, int port,
                     long audioSsrc, long videoSsrc, String cname) {
            this(iceUfrag, icePwd, fingerprint, List.of(ip), port, audioSsrc, videoSsrc, cname);
        }

        /** The address of the c= lines. */
        public String ip() {
            return addresses.get(0);
        }
    }

    /** What one m-line of the offer gets: its codecs (empty = rejected). */
    public record Choice(SdpOffer.Media media, MediaKind kind, List<PayloadFormat> codecs, String direction, Send send) {
        /** A single-stream line: the answer mirrors the offered direction and sends our stream of its kind. */
        public Choice(SdpOffer.Media media, MediaKind kind, List<PayloadFormat> codecs) {
            this(media, kind, codecs, null, null);
        }

        public boolean accepted() {
            return !codecs.isEmpty();
        }
    }

    /**
     * A multistream m-line that carries another member's media to the client: our SSRC on it and
     * the {@code a=msid} the browser's track gets (stream = the member's uid).
     */
    public record Send(long ssrc, String streamId, String trackId) {}

    private SdpAnswer() {}

    /** The codec choice per m-line, in offer order, with Opus for audio. At least one must be accepted. */
    public static List<Choice> negotiate(SdpOffer offer) {
        return negotiate(offer, List.of());
    }

    /**
     * As above; audio takes the first format of {@code audioToMatch} (in its order) that the offer
     * has, with the offer's payload type, and Opus when it has none of them.
     */
    public static List<Choice> negotiate(SdpOffer offer, List<PayloadFormat> audioToMatch) {
        List<Choice> out = new ArrayList<>();
        boolean seenAudio = false;
        boolean seenVideo = false;
        for (SdpOffer.Media m : offer.media()) {
            MediaKind kind = kindOf(m);
            List<PayloadFormat> codecs = List.of();
            if (kind == MediaKind.AUDIO && !seenAudio) {
                codecs = codecs(m, kind, audioToMatch);
                seenAudio = !codecs.isEmpty();
            } else if (kind == MediaKind.VIDEO && !seenVideo) {
                codecs = codecs(m, kind, List.of());
                seenVideo = !codecs.isEmpty();
            }
            out.add(new Choice(m, kind, codecs));
        }
        return checked(out);
    }

    /**
     * The choice for a multistream client: its first audio and first video m-line not in
     * {@code sending} that it sends on (else the first not in {@code sending}) carry what it
     * publishes (answered {@code recvonly}); an m-line in
     * {@code sending} carries another member's media to it ({@code sendonly}, with that SSRC and
     * msid); any other audio or video m-line is kept but {@code inactive}, so the client can re-use
     * it later (a rejected m-line could not be).
     */
    public static List<Choice> negotiateMultistream(SdpOffer offer, java.util.Map<String, Send> sending) {
        return negotiateMultistream(offer, sending, List.of());
    }

    /** As above; audio m-lines take the first of {@code audioToMatch} they offer (as {@link #negotiate}). */
    public static List<Choice> negotiateMultistream(SdpOffer offer, java.util.Map<String, Send> sending,
                                                    List<PayloadFormat> audioToMatch) {
        List<Choice> out = new ArrayList<>();
        String audioPublish = publishMid(offer, sending, MediaKind.AUDIO);
        String videoPublish = publishMid(offer, sending, MediaKind.VIDEO);
        for (SdpOffer.Media m : offer.media()) {
            MediaKind kind = kindOf(m);
            List<PayloadFormat> codecs = kind == null ? List.of() : codecs(m, kind, audioToMatch);
            if (codecs.isEmpty()) {
                out.add(new Choice(m, kind, codecs));
                continue;
            }
            Send send = sending.get(m.mid());
            String direction;
            if (send != null) {
                direction = m.direction().equals("recvonly") || m.direction().equals("sendrecv") ? "sendonly" : "inactive";
            } else if (m.mid().equals(kind == MediaKind.AUDIO ? audioPublish : videoPublish)) {
                direction = sends(m) ? "recvonly" : "inactive";
            } else {
                direction = "inactive";
            }
            out.add(new Choice(m, kind, codecs, direction, send));
        }
        return checked(out);
    }

    /**
     * The mid of the m-line of {@code kind} that carries what the client publishes: the first one not
     * in {@code sending} that the client sends on, else the first one not in {@code sending}. A client
     * may so move its publishing to a new m-line (the SDK does to start or stop dual stream after the
     * join: a sender's simulcast encodings are fixed when its m-line is made) by offering the old one
     * inactive; null when there is none.
     */
    private static String publishMid(SdpOffer offer, java.util.Map<String, Send> sending, MediaKind kind) {
        String first = null;
        for (SdpOffer.Media m : offer.media()) {
            if (kindOf(m) != kind || sending.containsKey(m.mid())) {
                continue;
            }
            if (sends(m)) {
                return m.mid();
            }
            if (first == null) {
                first = m.mid();
            }
        }
        return first;
    }

    private static boolean sends(SdpOffer.Media m) {
        return m.direction().equals("sendonly") || m.direction().equals("sendrecv");
    }

    private static MediaKind kindOf(SdpOffer.Media m) {
        if (m.port() == 0) {
            return null;
        }
        return switch (m.type()) {
            case "audio" -> MediaKind.AUDIO;
            case "video" -> MediaKind.VIDEO;
            default -> null;
        };
    }

    /**
     * Audio: the first of {@code audioToMatch} the m-line offers (a SIP leg's G.711 or G.722, passed
     * through), else Opus; and one telephone-event format. Video: VP8 and H.264 (packetization mode 1).
     */
    private static List<PayloadFormat> codecs(SdpOffer.Media m, MediaKind kind, List<PayloadFormat> audioToMatch) {
        List<PayloadFormat> codecs = new ArrayList<>();
        if (kind == MediaKind.AUDIO) {
            PayloadFormat audio = matching(m, audioToMatch);
            for (SdpOffer.Format f : m.formats()) {
                if (audio == null && f.name().equalsIgnoreCase("opus") && f.clockRate() == 48000) {
                    audio = new PayloadFormat(f.payloadType(), "opus", 48000, 2, "minptime=10;useinbandfec=1");
                }
            }
            if (audio != null) {
                codecs.add(audio);
                codecs.addAll(telephoneEvents(m, audio.clockRate()));
            }
        } else {
            SdpOffer.Format vp8 = null;
            SdpOffer.Format h264 = null;
            for (SdpOffer.Format f : m.formats()) {
                if (f.name().equalsIgnoreCase("VP8") && vp8 == null) {
                    vp8 = f;
                } else if (f.name().equalsIgnoreCase("H264") && f.fmtp().contains("packetization-mode=1")
                        && (h264 == null || f.fmtp().toLowerCase(Locale.ROOT).contains("profile-level-id=42e01f"))) {
                    h264 = f;
                }
            }
            if (vp8 != null) {
                codecs.add(new PayloadFormat(vp8.payloadType(), "VP8", 90000, 1, ""));
            }
            if (h264 != null) {
                codecs.add(new PayloadFormat(h264.payloadType(), "H264", 90000, 1, h264.fmtp()));
            }
        }
        return List.copyOf(codecs);
    }

    private static List<Choice> checked(List<Choice> out) {
        if (out.stream().noneMatch(Choice::accepted)) {
            throw new RtcException("bad-sdp", "the offer has no audio with Opus and no video with VP8 or H.264");
        }
        for (Choice c : out) {
            if (c.accepted() && !c.media().rtcpMux()) {
                throw new RtcException("bad-sdp", "m-line " + c.media().mid() + " does not offer rtcp-mux");
            }
        }
        return out;
    }

    /** The first of {@code wanted} the m-line offers, as offered (its payload type), or null. */
    private static PayloadFormat matching(SdpOffer.Media m, List<PayloadFormat> wanted) {
        for (PayloadFormat w : wanted) {
            for (SdpOffer.Format f : m.formats()) {
                if (f.name().equalsIgnoreCase(w.name()) && f.clockRate() == w.clockRate() && f.channels() == w.channels()) {
                    return new PayloadFormat(f.payloadType(), w.name(), f.clockRate(), f.channels(), f.fmtp());
                }
            }
        }
        return null;
    }

    /**
     * The one telephone-event format we take for DTMF: at the audio's clock (48 kHz beside Opus,
     * 8 kHz beside G.711 and G.722) when offered, else the other of 8 and 48 kHz. Only one: given
     * both, Chromium sends 8 kHz events with 48 kHz timestamps and no updates, only end packets.
     */
    private static List<PayloadFormat> telephoneEvents(SdpOffer.Media m, int audioClock) {
        SdpOffer.Format chosen = null;
        for (SdpOffer.Format f : m.formats()) {
            if (f.name().equalsIgnoreCase("telephone-event") && f.clockRate() == audioClock) {
                chosen = f;
                break;
            }
            if (f.name().equalsIgnoreCase("telephone-event") && (f.clockRate() == 8000 || f.clockRate() == 48000)
                    && chosen == null) {
                chosen = f;
            }
        }
        return chosen == null ? List.of()
                : List.of(new PayloadFormat(chosen.payloadType(), "telephone-event", chosen.clockRate(), 1, chosen.fmtp()));
    }

    /** True when srproxy receives media on this accepted line (the client sends on it). */
    private static boolean receiving(Choice c) {
        String d = c.direction() != null ? c.direction() : answerDirection(c.media().direction());
        return c.accepted() && (d.equals("recvonly") || d.equals("sendrecv"));
    }

    /**
     * The rids a line's simulcast is answered with (RFC 8853): on a multistream publish video line
     * that offers {@code a=simulcast:send} with two or more rids and the rtp-stream-id extension,
     * its first two rids (the SDK offers the high layer first); else empty, and the client then
     * sends one encoding.
     */
    static List<String> simulcastRids(Choice c) {
        SdpOffer.Media m = c.media();
        if (c.direction() == null || !c.direction().equals("recvonly") || c.kind() != MediaKind.VIDEO
                || m.sendRids().size() < 2 || m.extmapId(RtpExtensions.RID_URI) <= 0) {
            return List.of();
        }
        return m.sendRids().subList(0, 2);
    }

    /**
     * The header extensions we read from what the client sends, as answered: the audio level on
     * its (first) audio line, the rtp-stream-id on its simulcast video line.
     */
    public static RtpExtensions receivedExtensions(List<Choice> choices) {
        int level = 0;
        int rid = 0;
        List<String> rids = List.of();
        for (Choice c : choices) {
            if (!receiving(c)) {
                continue;
            }
            if (c.kind() == MediaKind.AUDIO && level == 0) {
                level = c.media().extmapId(RtpExtensions.AUDIO_LEVEL_URI);
            } else if (c.kind() == MediaKind.VIDEO && rids.isEmpty() && !simulcastRids(c).isEmpty()) {
                rids = simulcastRids(c);
                rid = c.media().extmapId(RtpExtensions.RID_URI);
            }
        }
        return new RtpExtensions(level, rid, rids);
    }

    /** The a=extmap lines (and simulcast) of a line we receive on: ids as the offer gave them. */
    private static void receiveExtensions(StringBuilder s, Choice c) {
        SdpOffer.Media m = c.media();
        // the rid extension is answered on every multistream video line the client may publish on
        // (not one carrying another member's media), also without simulcast and while inactive:
        // Chromium offers it on an m-line (dual stream turned on after the join, or again) only
        // when the session negotiated it for that line, and refuses its own simulcast offer without it
        if (!receiving(c)) {
            if (c.accepted() && c.kind() == MediaKind.VIDEO && c.direction() != null && c.send() == null
                    && m.extmapId(RtpExtensions.RID_URI) > 0) {
                ridExtensions(s, m);
            }
            return;
        }
        if (c.kind() == MediaKind.AUDIO && m.extmapId(RtpExtensions.AUDIO_LEVEL_URI) > 0) {
            line(s, "a=extmap:" + m.extmapId(RtpExtensions.AUDIO_LEVEL_URI) + " " + RtpExtensions.AUDIO_LEVEL_URI);
        }
        List<String> rids = simulcastRids(c);
        boolean publishVideo = c.kind() == MediaKind.VIDEO && c.direction() != null && m.extmapId(RtpExtensions.RID_URI) > 0;
        if (!rids.isEmpty() || publishVideo) {
            ridExtensions(s, m);
        }
        if (!rids.isEmpty()) {
            for (String rid : rids) {
                line(s, "a=rid:" + rid + " recv");
            }
            line(s, "a=simulcast:recv " + String.join(";", rids));
        }
    }

    /** The sdes:mid (when offered) and rtp-stream-id extmaps of a line, with the offer's ids. */
    private static void ridExtensions(StringBuilder s, SdpOffer.Media m) {
        if (m.extmapId(RtpExtensions.MID_URI) > 0) {
            line(s, "a=extmap:" + m.extmapId(RtpExtensions.MID_URI) + " " + RtpExtensions.MID_URI);
        }
        line(s, "a=extmap:" + m.extmapId(RtpExtensions.RID_URI) + " " + RtpExtensions.RID_URI);
    }

    /** SDP's addrtype (RFC 4566 5.7) of an address literal. */
    static String addressType(String address) {
        return address.indexOf(':') >= 0 ? "IP6" : "IP4";
    }

    public static String write(List<Choice> choices, Local local) {
        return write(choices, local, System.nanoTime() & 0x7FFFFFFFFFFFL, 2);
    }

    /** With the o= line's session id and version: a renegotiation keeps the id and counts the version up. */
    public static String write(List<Choice> choices, Local local, long sessionId, long version) {
        StringBuilder s = new StringBuilder(2048);
        line(s, "v=0");
        line(s, "o=- " + sessionId + " " + version + " IN " + addressType(local.ip()) + " " + local.ip());
        line(s, "s=srproxy");
        line(s, "t=0 0");
        StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
        for (Choice c : choices) {
            if (c.accepted()) {
                bundle.append(' ').append(c.media().mid());
            }
        }
        line(s, bundle.toString());
        line(s, "a=ice-lite");
        line(s, "a=msid-semantic: WMS srproxy");
        for (Choice c : choices) {
            SdpOffer.Media m = c.media();
            if (!c.accepted()) {
                line(s, "m=" + m.type() + " 0 " + m.proto() + " " + m.fmts());
                line(s, "c=IN IP4 0.0.0.0");
                line(s, "a=mid:" + m.mid());
                line(s, "a=inactive");
                continue;
            }
            StringBuilder pts = new StringBuilder();
            for (PayloadFormat codec : c.codecs()) {
                pts.append(' ').append(codec.payloadType());
            }
            line(s, "m=" + m.type() + " " + local.port() + " UDP/TLS/RTP/SAVPF" + pts);
            String connection = "IN " + addressType(local.ip()) + " " + local.ip();
            line(s, "c=" + connection);
            line(s, "a=rtcp:" + local.port() + " " + connection);
            for (int i = 0; i < local.addresses().size(); i++) {
                // RFC 8445 5.1.2.1: the first address gets the highest local preference
                long priority = (126L << 24) | ((65535L - i) << 8) | 255;
                line(s, "a=candidate:" + (i + 1) + " 1 udp " + priority + " " + local.addresses().get(i) + " "
                        + local.port() + " typ host");
            }
            line(s, "a=end-of-candidates");
            line(s, "a=ice-ufrag:" + local.iceUfrag());
            line(s, "a=ice-pwd:" + local.icePwd());
            line(s, "a=fingerprint:sha-256 " + local.fingerprint());
            line(s, "a=setup:passive");
            line(s, "a=mid:" + m.mid());
            String direction = c.direction() != null ? c.direction() : answerDirection(m.direction());
            line(s, "a=" + direction);
            line(s, "a=rtcp-mux");
            receiveExtensions(s, c);
            for (PayloadFormat codec : c.codecs()) {
                String rtpmap = codec.name() + "/" + codec.clockRate() + (codec.channels() > 1 ? "/" + codec.channels() : "");
                line(s, "a=rtpmap:" + codec.payloadType() + " " + rtpmap);
                if (!codec.fmtp().isEmpty()) {
                    line(s, "a=fmtp:" + codec.payloadType() + " " + codec.fmtp());
                }
                if (c.kind() == MediaKind.VIDEO) {
                    line(s, "a=rtcp-fb:" + codec.payloadType() + " nack pli");
                    line(s, "a=rtcp-fb:" + codec.payloadType() + " ccm fir");
                }
            }
            if (c.direction() != null) {
                if (c.send() != null && direction.equals("sendonly")) {
                    String msid = c.send().streamId() + " " + c.send().trackId();
                    line(s, "a=msid:" + msid);
                    line(s, "a=ssrc:" + c.send().ssrc() + " cname:" + local.cname());
                    line(s, "a=ssrc:" + c.send().ssrc() + " msid:" + msid);
                }
                continue; // a multistream publish or idle line: we send nothing on it
            }
            long ssrc = c.kind() == MediaKind.AUDIO ? local.audioSsrc() : local.videoSsrc();
            String track = "srproxy-" + c.kind().sdpName();
            line(s, "a=msid:srproxy " + track);
            line(s, "a=ssrc:" + ssrc + " cname:" + local.cname());
            line(s, "a=ssrc:" + ssrc + " msid:srproxy " + track);
        }
        return s.toString();
    }

    private static String answerDirection(String offered) {
        return switch (offered) {
            case "sendonly" -> "recvonly";
            case "recvonly" -> "sendonly";
            case "inactive" -> "inactive";
            default -> "sendrecv";
        };
    }

    private static void line(StringBuilder s, String l) {
        s.append(l).append("\r\n");
    }
}
