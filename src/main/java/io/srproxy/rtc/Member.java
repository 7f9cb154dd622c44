package io.srproxy.rtc;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A uid in a channel with its transport and negotiated codecs. Published and muted flags are set
 * from the signalling and only feed events; media flows whatever they say.
 *
 * <p>A single-stream member (a SIP leg, or an /rtc client that joined without {@code multistream})
 * receives one audio and one video stream, fed by the one other member of a two-member channel. A
 * multistream member receives one stream per subscription: an m-line ({@code mid}) of its
 * connection carrying one kind of one other member's media, with an SSRC of its own that stays
 * with the m-line when the client re-uses it for someone else. Subscriptions change only under
 * the channel's lock.
 */
public final class Member {

    /** What a multistream client asks for on one of its m-lines. */
    public record Want(String mid, MediaKind kind, String sourceUid) {}

    /** A subscription as granted: the SSRC the m-line's stream leaves with. */
    public record Subscription(String mid, MediaKind kind, String sourceUid, long ssrc) {}

    private final String uid;
    private final MediaTransport transport;
    private final Consumer<RtcEvent> events;
    private final boolean multistream;
    private volatile boolean audioPublished;
    private volatile boolean videoPublished;
    private final OutboundStream audioOut;
    private final OutboundStream videoOut;
    /** Multistream: the stream of each m-line ever subscribed on (kept while it carries one source). */
    private final Map<String, OutboundStream> streamsByMid = new HashMap<>();
    /** The streams and wants before the last change, for {@link #rollback()}. */
    private Map<String, OutboundStream> streamsBefore = Map.of();
    private List<Want> wantsBefore = List.of();
    /** SSRCs the last change replaced: their SRTP contexts go at the next change, once no old route sends on them. */
    private List<Long> retiring = List.of();
    private final Map<String, MediaKind> kindsByMid = new HashMap<>();
    private List<Want> wants = List.of();
    private final AudioLevelMeter audioLevel;
    private final SimulcastLayers simulcast;
    /** The simulcast layer it takes of each sender's video (absent: high); under the channel's lock. */
    private final Map<String, Integer> videoLayers = new HashMap<>();

    public Member(String uid, MediaTransport transport, Consumer<RtcEvent> events) {
        this(uid, transport, events, false);
    }

    public Member(String uid, MediaTransport transport, Consumer<RtcEvent> events, boolean multistream) {
        this.uid = Objects.requireNonNull(uid);
        this.transport = Objects.requireNonNull(transport);
        this.events = events == null ? e -> {} : events;
        this.multistream = multistream;
        this.audioOut = new OutboundStream(transport.sendSsrc(MediaKind.AUDIO), audioClock());
        this.videoOut = new OutboundStream(transport.sendSsrc(MediaKind.VIDEO), 90000);
        this.audioLevel = new AudioLevelMeter(transport);
        this.simulcast = new SimulcastLayers(transport);
    }

    /** Its microphone's level, from the audio level its packets carry. */
    AudioLevelMeter audioLevel() {
        return audioLevel;
    }

    /** Its video's simulcast layers (inactive without dual stream). */
    SimulcastLayers simulcast() {
        return simulcast;
    }

    /** The layer ({@link SimulcastLayers#HIGH} or LOW) it takes of {@code sourceUid}'s video. */
    int videoLayer(String sourceUid) {
        return videoLayers.getOrDefault(sourceUid, SimulcastLayers.HIGH);
    }

    /** Sets the layer it takes of {@code sourceUid}; forgets the choices about members not in {@code present}. */
    void setVideoLayer(String sourceUid, int layer, java.util.Collection<String> present) {
        videoLayers.keySet().retainAll(present);
        videoLayers.put(sourceUid, layer);
    }

    private int audioClock() {
        return transport.preferred(MediaKind.AUDIO).map(PayloadFormat::clockRate).orElse(8000);
    }

    /** True when it takes each other member's media on a stream of its own (so it may be in a group). */
    public boolean multistream() {
        return multistream;
    }

    /**
     * The stream of {@code kind} this member receives from {@code source}, or null when it does
     * not take that one: the one stream of its kind for a single-stream member, whoever feeds it
     * (it outlives routes, so a new peer or a switch between forwarding and transcoding continues
     * the same stream); the subscribed m-line's stream for a multistream member.
     */
    OutboundStream outbound(String source, MediaKind kind) {
        if (!multistream) {
            return kind == MediaKind.AUDIO ? audioOut : videoOut;
        }
        for (Want w : wants) {
            if (w.kind() == kind && w.sourceUid().equals(source)) {
                return streamsByMid.get(w.mid());
            }
        }
        return null;
    }

    /** The single-stream member's one stream of {@code kind}. */
    OutboundStream outbound(MediaKind kind) {
        return kind == MediaKind.AUDIO ? audioOut : videoOut;
    }

    /**
     * Replaces the subscriptions (called under the channel's lock). An m-line keeps its kind for
     * the member's life; at most {@code maxMids} m-lines ever carry streams: a client re-uses
     * inactive m-lines. An m-line keeps its SSRC while it carries the same source; when it starts
     * carrying one (a new subscription, or an idle m-line re-used) it gets a new SSRC. Chrome
     * does not re-attach a receiver's track to the decoder when an m-line that was inactive comes
     * back with the SSRC it had: the media arrives and is decoded but the page's track stays
     * silent and black. The replaced SSRCs' SRTP contexts are dropped, so they stay bounded.
     */
    List<Subscription> subscribe(List<Want> next, int maxMids) {
        if (!multistream) {
            throw new RtcException("bad-request", "subscriptions need a multistream join");
        }
        Map<String, Want> byMid = new HashMap<>();
        Map<String, Want> bySource = new HashMap<>();
        for (Want w : next) {
            if (w.mid() == null || w.mid().isEmpty() || w.mid().length() > 32 || w.kind() == null
                    || w.sourceUid() == null || w.sourceUid().isEmpty()) {
                throw new RtcException("bad-request", "a subscription needs mid (1..32 characters), uid and mediaType");
            }
            if (byMid.put(w.mid(), w) != null) {
                throw new RtcException("bad-request", "m-line " + w.mid() + " is subscribed twice");
            }
            if (bySource.put(w.kind() + " " + w.sourceUid(), w) != null) {
                throw new RtcException("bad-request", "the " + w.kind().sdpName() + " of " + w.sourceUid()
                        + " is subscribed on two m-lines");
            }
            if (w.sourceUid().equals(uid)) {
                throw new RtcException("bad-request", "a member cannot subscribe to itself");
            }
            MediaKind had = kindsByMid.get(w.mid());
            if (had != null && had != w.kind()) {
                throw new RtcException("bad-request", "m-line " + w.mid() + " carried " + had.sdpName()
                        + " before; it cannot carry " + w.kind().sdpName());
            }
        }
        long fresh = next.stream().filter(w -> !streamsByMid.containsKey(w.mid())).count();
        if (streamsByMid.size() + fresh > maxMids) {
            throw new RtcException("too-many-subscriptions", "at most " + maxMids
                    + " m-lines may carry other members' media on one connection; re-use inactive ones");
        }
        List<Long> replaced = new ArrayList<>();
        Map<String, OutboundStream> before = Map.copyOf(streamsByMid);
        Map<String, String> sourceByMid = new HashMap<>();
        for (Want w : wants) {
            sourceByMid.put(w.mid(), w.sourceUid());
        }
        List<Subscription> granted = new ArrayList<>();
        for (Want w : next) {
            OutboundStream s = streamsByMid.get(w.mid());
            if (s == null || !w.sourceUid().equals(sourceByMid.get(w.mid()))) {
                if (s != null) {
                    replaced.add(s.ssrc());
                }
                s = new OutboundStream(freshSsrc(), w.kind() == MediaKind.AUDIO ? audioClock() : 90000);
                streamsByMid.put(w.mid(), s);
            }
            kindsByMid.put(w.mid(), w.kind());
            granted.add(new Subscription(w.mid(), w.kind(), w.sourceUid(), s.ssrc()));
        }
        for (long ssrc : retiring) {
            if (!usesSsrc(ssrc)) {
                transport.retireSendSsrc(ssrc);
            }
        }
        retiring = List.copyOf(replaced);
        streamsBefore = before;
        wantsBefore = wants;
        wants = List.copyOf(next);
        return granted;
    }

    /**
     * Undoes the last {@link #subscribe} (its answer could not be made, so the client keeps its
     * previous description): the m-lines get back the streams, and SSRCs, they had.
     */
    void rollback() {
        List<Long> added = new ArrayList<>();
        for (OutboundStream s : streamsByMid.values()) {
            if (!streamsBefore.containsValue(s)) {
                added.add(s.ssrc());
            }
        }
        streamsByMid.clear();
        streamsByMid.putAll(streamsBefore);
        wants = wantsBefore;
        retiring = List.copyOf(added);
    }

    private boolean usesSsrc(long ssrc) {
        for (OutboundStream s : streamsByMid.values()) {
            if (s.ssrc() == ssrc) {
                return true;
            }
        }
        return false;
    }

    private long freshSsrc() {
        while (true) {
            long v = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
            boolean used = v == 0 || v == audioOut.ssrc() || v == videoOut.ssrc();
            used |= usesSsrc(v) || retiring.contains(v);
            for (OutboundStream s : streamsBefore.values()) {
                used |= s.ssrc() == v;
            }
            if (!used) {
                return v;
            }
        }
    }

    public String uid() {
        return uid;
    }

    public MediaTransport transport() {
        return transport;
    }

    public boolean published(MediaKind kind) {
        return kind == MediaKind.AUDIO ? audioPublished : videoPublished;
    }

    void setPublished(MediaKind kind, boolean on) {
        if (kind == MediaKind.AUDIO) {
            audioPublished = on;
        } else {
            videoPublished = on;
        }
    }

    /** Delivers an event about another member; a failing listener must not hurt the channel. */
    void tell(RtcEvent event) {
        try {
            events.accept(event);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Member.class).warn("event listener of {} failed: {}", uid, e.toString());
        }
    }
}
