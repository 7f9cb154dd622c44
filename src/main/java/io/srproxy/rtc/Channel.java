package io.srproxy.rtc;

import io.srproxy.log.LogSafe;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel: up to two members whose media the router passes between them. A third member is
 * refused (conference mixing comes later). Membership changes are rare and serialised on the
 * channel; the media path never takes this lock. Event listeners must not block.
 */
public final class Channel {

    private static final Logger log = LoggerFactory.getLogger(Channel.class);

    public static final int MAX_MEMBERS = 2;

    /** What a newcomer learns about a member already there. */
    public record MemberState(String uid, boolean audio, boolean video) {}

    private final String id;
    private final List<Member> members = new ArrayList<>(MAX_MEMBERS);
    private MediaRoute forward;
    private MediaRoute backward;
    private final Runnable onTranscodingPair;
    private final Runnable onPassthroughPair;
    private final TranscodeWorkers workers;
    private final java.util.concurrent.Executor callWorker; // the call's transcoding, serial

    /**
     * @param onTranscodingPair told each time a pair is wired whose audio needs a transcoder
     * @param onPassthroughPair told each time a pair is wired whose audio is forwarded as it is both ways
     */
    Channel(String id, Runnable onTranscodingPair, Runnable onPassthroughPair) {
        this(id, onTranscodingPair, onPassthroughPair, TranscodeWorkers.inline());
    }

    /** @param workers where the channel's transcoding runs (one serial executor for the channel) */
    Channel(String id, Runnable onTranscodingPair, Runnable onPassthroughPair, TranscodeWorkers workers) {
        this.id = id;
        this.onTranscodingPair = onTranscodingPair;
        this.onPassthroughPair = onPassthroughPair;
        this.workers = workers;
        this.callWorker = workers.newCall();
    }

    public String id() {
        return id;
    }

    synchronized List<MemberState> join(Member member) {
        for (Member m : members) {
            if (m.uid().equals(member.uid())) {
                throw new RtcException("uid-in-use", "uid " + member.uid() + " is already in channel " + id);
            }
        }
        if (members.size() >= MAX_MEMBERS) {
            throw new RtcException("channel-full", "channel " + id + " already has " + MAX_MEMBERS
                    + " members; conference mixing is not supported yet");
        }
        List<MemberState> others = new ArrayList<>();
        for (Member m : members) {
            others.add(new MemberState(m.uid(), m.published(MediaKind.AUDIO), m.published(MediaKind.VIDEO)));
        }
        members.add(member);
        for (Member m : members) {
            if (m != member) {
                m.tell(new RtcEvent.UserJoined(member.uid()));
            }
        }
        rewire();
        log.info("channel {}: {} joined over {}", LogSafe.of(id), LogSafe.of(member.uid()), member.transport().describe());
        return others;
    }

    /** Removes the member; false when it was not here. The caller closes its transport. */
    synchronized boolean leave(String uid, String reason) {
        Member gone = find(uid).orElse(null);
        if (gone == null) {
            return false;
        }
        members.remove(gone);
        gone.transport().setHandler(PacketHandler.NONE);
        rewire();
        for (Member m : members) {
            m.tell(new RtcEvent.UserLeft(uid, reason));
        }
        log.info("channel {}: {} left ({})", LogSafe.of(id), LogSafe.of(uid), LogSafe.of(reason));
        return true;
    }

    public synchronized void publish(String uid, MediaKind kind, boolean on) {
        Member m = find(uid).orElseThrow(() -> new RtcException("not-joined", uid + " is not in channel " + id));
        if (m.published(kind) == on) {
            return;
        }
        m.setPublished(kind, on);
        for (Member other : members) {
            if (other != m) {
                other.tell(on ? new RtcEvent.UserPublished(uid, kind) : new RtcEvent.UserUnpublished(uid, kind));
            }
        }
    }

    public synchronized void mute(String uid, MediaKind kind, boolean muted) {
        find(uid).orElseThrow(() -> new RtcException("not-joined", uid + " is not in channel " + id));
        for (Member other : members) {
            if (!other.uid().equals(uid)) {
                other.tell(new RtcEvent.UserMuted(uid, kind, muted));
            }
        }
    }

    public synchronized List<String> uids() {
        return members.stream().map(Member::uid).toList();
    }

    public synchronized Optional<Member> member(String uid) {
        return find(uid);
    }

    /** True when the current pair's audio goes through a transcoder in either direction. */
    public synchronized boolean transcoding() {
        return (forward != null && forward.transcodes()) || (backward != null && backward.transcodes());
    }

    /** True when the current pair's audio is forwarded as it is in both directions, no transcoder. */
    public synchronized boolean passthrough() {
        return forward != null && forward.forwardsAudio() && backward.forwardsAudio();
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    private Optional<Member> find(String uid) {
        return members.stream().filter(m -> m.uid().equals(uid)).findFirst();
    }

    /** Rebuilds the two routes for the current pair (or none when alone). */
    private void rewire() {
        if (forward != null) {
            forward.close();
            backward.close();
            forward = null;
            backward = null;
        }
        if (members.size() == 2) {
            Member a = members.get(0);
            Member b = members.get(1);
            forward = new MediaRoute(a, b, workers, callWorker);
            backward = new MediaRoute(b, a, workers, callWorker);
            forward.setReverse(backward);
            backward.setReverse(forward);
            a.transport().setHandler(forward);
            b.transport().setHandler(backward);
            if (forward.transcodes() || backward.transcodes()) {
                onTranscodingPair.run();
            } else if (forward.forwardsAudio() && backward.forwardsAudio()) {
                onPassthroughPair.run();
            }
        } else {
            for (Member m : members) {
                m.transport().setHandler(PacketHandler.NONE);
            }
        }
    }
}
