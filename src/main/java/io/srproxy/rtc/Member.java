package io.srproxy.rtc;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A uid in a channel with its transport and negotiated codecs. Published and muted flags are set
 * from the signalling and only feed events; media flows whatever they say.
 */
public final class Member {

    private final String uid;
    private final MediaTransport transport;
    private final Consumer<RtcEvent> events;
    private volatile boolean audioPublished;
    private volatile boolean videoPublished;
    private final OutboundStream audioOut;
    private final OutboundStream videoOut;

    public Member(String uid, MediaTransport transport, Consumer<RtcEvent> events) {
        this.uid = Objects.requireNonNull(uid);
        this.transport = Objects.requireNonNull(transport);
        this.events = events == null ? e -> {} : events;
        this.audioOut = new OutboundStream(transport.sendSsrc(MediaKind.AUDIO),
                transport.preferred(MediaKind.AUDIO).map(Codec::clockRate).orElse(8000));
        this.videoOut = new OutboundStream(transport.sendSsrc(MediaKind.VIDEO), 90000);
    }

    /**
     * The one stream of {@code kind} this member receives, whoever feeds it: it outlives routes, so
     * a new peer (or a switch between forwarding and transcoding) continues the same stream.
     */
    OutboundStream outbound(MediaKind kind) {
        return kind == MediaKind.AUDIO ? audioOut : videoOut;
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
