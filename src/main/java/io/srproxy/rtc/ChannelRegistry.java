package io.srproxy.rtc;

import java.nio.charset.StandardCharsets;
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

    public static final int MAX_CHANNEL_ID_BYTES = 64;

    /** A member that joined, and the members that were already there. */
    public record Joined(Member member, List<Channel.MemberState> others) {}

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final LongAdder transcodingPairs = new LongAdder();

    /** Joins {@code uid} to {@code channelId} (made on demand); throws {@link RtcException} when refused. */
    public Joined join(String channelId, String uid, MediaTransport transport, Consumer<RtcEvent> events) {
        validateChannelId(channelId);
        if (uid == null || uid.isBlank() || uid.length() > 255) {
            throw new RtcException("bad-uid", "uid must be 1..255 characters");
        }
        Member member = new Member(uid, transport, events);
        Joined[] result = new Joined[1];
        channels.compute(channelId, (id, ch) -> {
            Channel c = ch == null ? new Channel(id, transcodingPairs::increment) : ch;
            result[0] = new Joined(member, c.join(member));
            return c;
        });
        return result[0];
    }

    /** Removes {@code uid}; false when it was not there. The caller closes the transport. */
    public boolean leave(String channelId, String uid, String reason) {
        boolean[] left = new boolean[1];
        channels.computeIfPresent(channelId, (id, c) -> {
            left[0] = c.leave(uid, reason);
            return c.isEmpty() ? null : c;
        });
        return left[0];
    }

    public Optional<Channel> channel(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    public int size() {
        return channels.size();
    }

    /** Channels whose current pair's audio is transcoded (read when scraped). */
    public long transcoding() {
        return channels.values().stream().filter(Channel::transcoding).count();
    }

    /** Member pairs wired with a transcoder since start. */
    public long transcodingStarted() {
        return transcodingPairs.sum();
    }

    public static void validateChannelId(String channelId) {
        if (channelId == null || channelId.isEmpty()) {
            throw new RtcException("bad-channel", "channel id is empty");
        }
        if (channelId.getBytes(StandardCharsets.UTF_8).length > MAX_CHANNEL_ID_BYTES) {
            throw new RtcException("bad-channel", "channel id is longer than " + MAX_CHANNEL_ID_BYTES + " bytes");
        }
        for (int i = 0; i < channelId.length(); i++) {
            if (Character.isISOControl(channelId.charAt(i))) {
                throw new RtcException("bad-channel", "channel id contains a control character");
            }
        }
    }
}
