package io.srproxy.rtc;

import io.srproxy.ids.Identifiers;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Every channel of this node, by id. The gateway adds plain-RTP members here in-process; the
 * /rtc signalling adds WebRTC members. Empty channels disappear.
 */
public final class ChannelRegistry {

    public static final int MAX_CHANNEL_ID_BYTES = Identifiers.MAX_CHANNEL_ID_BYTES;

    /** A member that joined, and the members that were already there. */
    public record Joined(Member member, List<Channel.MemberState> others) {}

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final LongAdder transcodingPairs = new LongAdder();
    private final LongAdder passthroughPairs = new LongAdder();
    private final TranscodeWorkers workers;
    private final int maxMembers;
    /** Where channels live when there are several nodes; told of each channel made and emptied here. */
    private volatile ChannelPlacement placement = ChannelPlacement.LOCAL;

    /** Transcoding inline on the receiving I/O thread (tests that drive routes by hand), default member cap. */
    public ChannelRegistry() {
        this(TranscodeWorkers.inline(), Channel.DEFAULT_MAX_MEMBERS);
    }

    /** Transcoding inline, at most {@code maxMembers} per channel (tests). */
    public ChannelRegistry(int maxMembers) {
        this(TranscodeWorkers.inline(), maxMembers);
    }

    /**
     * @param workers    where transcoding runs (the caller closes them)
     * @param maxMembers the most members of one channel ([rtc] max_members)
     */
    public ChannelRegistry(TranscodeWorkers workers, int maxMembers) {
        this.workers = workers;
        this.maxMembers = maxMembers;
    }

    /** Several nodes: channels made here (by /rtc or the gateway) are claimed, and released once empty. */
    public void placement(ChannelPlacement placement) {
        this.placement = placement;
    }

    public ChannelPlacement placement() {
        return placement;
    }

    public TranscodeWorkers workers() {
        return workers;
    }

    /** Joins a single-stream member (a SIP leg, or an /rtc client without multistream). */
    public Joined join(String channelId, String uid, MediaTransport transport, Consumer<RtcEvent> events) {
        return join(channelId, uid, transport, events, false);
    }

    /** Joins {@code uid} to {@code channelId} (made on demand); throws {@link RtcException} when refused. */
    public Joined join(String channelId, String uid, MediaTransport transport, Consumer<RtcEvent> events,
                       boolean multistream) {
        validateChannelId(channelId);
        if (uid == null || uid.isBlank() || uid.length() > 255) {
            throw new RtcException("bad-uid", "uid must be 1..255 characters");
        }
        Member member = new Member(uid, transport, events, multistream);
        Joined[] result = new Joined[1];
        boolean[] made = new boolean[1];
        channels.compute(channelId, (id, ch) -> {
            made[0] = ch == null;
            Channel c = ch == null ? new Channel(id, maxMembers, transcodingPairs::increment, passthroughPairs::increment, workers) : ch;
            result[0] = new Joined(member, c.join(member));
            return c;
        });
        if (made[0] && placement != ChannelPlacement.LOCAL) {
            placement.claim(channelId); // a gateway's channel too, so that /rtc joins elsewhere come here
        }
        return result[0];
    }

    /** Removes {@code uid}; false when it was not there. The caller closes the transport. */
    public boolean leave(String channelId, String uid, String reason) {
        boolean[] left = new boolean[1];
        boolean[] emptied = new boolean[1];
        channels.computeIfPresent(channelId, (id, c) -> {
            left[0] = c.leave(uid, reason);
            emptied[0] = c.isEmpty();
            return c.isEmpty() ? null : c;
        });
        if (emptied[0]) {
            placement.released(channelId);
        }
        return left[0];
    }

    public Optional<Channel> channel(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    /** The ids of the channels here now (for the cluster's refresh and views). */
    public java.util.Set<String> ids() {
        return java.util.Set.copyOf(channels.keySet());
    }

    public int size() {
        return channels.size();
    }

    /** Channels whose current pair's audio is transcoded (read when scraped). */
    public long transcoding() {
        return channels.values().stream().filter(Channel::transcoding).count();
    }

    /** Channels whose current pair's audio is forwarded as it is both ways (read when scraped). */
    public long passthrough() {
        return channels.values().stream().filter(Channel::passthrough).count();
    }

    /** Member pairs wired with audio forwarded as it is both ways (Opus to Opus, G.711 or G.722 passthrough) since start. */
    public long passthroughStarted() {
        return passthroughPairs.sum();
    }

    /** Member pairs wired with a transcoder since start. */
    public long transcodingStarted() {
        return transcodingPairs.sum();
    }

    /** The channel id rule /rtm shares (1..64 bytes UTF-8, no control characters); throws "bad-channel". */
    public static void validateChannelId(String channelId) {
        String problem = Identifiers.channelIdProblem("channel id", channelId);
        if (problem != null) {
            throw new RtcException("bad-channel", problem);
        }
    }
}
