package io.srproxy.rtc;

import io.srproxy.log.LogSafe;
import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel: up to {@code maxMembers} members, each one's media forwarded to every other that
 * takes it (an SFU). Two single-stream members (app to app with an old client, or app to SIP leg)
 * take each other's media on their one stream per kind; in a group of three or more every member
 * is multistream but the phones (plain RTP members), whose audio then goes through a
 * {@link ConferenceAudio} mixer: each phone hears the mix of the others, and each app takes each
 * phone's voice on its subscription. Back at two members the one-to-one routes return.
 * Membership and subscription changes are rare and serialised on the channel's lock, where the
 * routes are rebuilt (kept when unchanged, so streams and transcoders carry on) and each member
 * gets a fresh immutable {@link Fanout}; the media path never takes this lock. Event listeners
 * must not block.
 */
public final class Channel {

    private static final Logger log = LoggerFactory.getLogger(Channel.class);

    /** Members of one channel unless [rtc] max_members says otherwise. */
    public static final int DEFAULT_MAX_MEMBERS = 17;

    /** What a newcomer learns about a member already there. */
    public record MemberState(String uid, boolean audio, boolean video) {}

    private record Pair(Member from, Member to) {}

    private final String id;
    private final int maxMembers;
    private final List<Member> members = new ArrayList<>();
    private Map<Pair, MediaRoute> routes = new HashMap<>();
    private final Runnable onTranscodingPair;
    private final Runnable onPassthroughPair;
    private final TranscodeWorkers workers;
    private final java.util.concurrent.Executor callWorker; // the channel's transcoding, serial
    private ConferenceAudio conference; // while a phone is in a group

    /** @param onTranscodingPair told each time a route is made whose audio needs a transcoder */
    Channel(String id, Runnable onTranscodingPair) {
        this(id, DEFAULT_MAX_MEMBERS, onTranscodingPair, () -> { }, TranscodeWorkers.inline());
    }

    Channel(String id, int maxMembers, Runnable onTranscodingPair) {
        this(id, maxMembers, onTranscodingPair, () -> { }, TranscodeWorkers.inline());
    }

    /**
     * @param onTranscodingPair told each time a route is made whose audio needs a transcoder
     * @param onPassthroughPair told each time two members are wired with audio forwarded as it is both ways
     * @param workers           where the channel's transcoding runs (one serial executor for the channel)
     */
    Channel(String id, int maxMembers, Runnable onTranscodingPair, Runnable onPassthroughPair, TranscodeWorkers workers) {
        this.id = id;
        this.maxMembers = maxMembers;
        this.onTranscodingPair = onTranscodingPair;
        this.onPassthroughPair = onPassthroughPair;
        this.workers = workers;
        this.callWorker = workers.newCall();
    }

    public String id() {
        return id;
    }

    public int maxMembers() {
        return maxMembers;
    }

    synchronized List<MemberState> join(Member member) {
        for (Member m : members) {
            if (m.uid().equals(member.uid())) {
                throw new RtcException("uid-in-use", "uid " + member.uid() + " is already in channel " + id);
            }
        }
        if (members.size() >= maxMembers) {
            throw new RtcException("channel-full", "channel " + id + " already has " + maxMembers
                    + " members, the limit ([rtc] max_members)");
        }
        if (members.size() >= 2) {
            refuseGroupWithSingleStream(member);
            refuseUnmixableGroup(member);
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
        log.info("channel {}: {} joined over {} ({} members)", LogSafe.of(id), LogSafe.of(member.uid()),
                member.transport().describe(), members.size());
        return others;
    }

    /** A third member makes a group: every member must then take several streams. */
    private void refuseGroupWithSingleStream(Member newcomer) {
        List<Member> all = new ArrayList<>(members);
        all.add(newcomer);
        for (Member m : all) {
            if (!m.multistream() && !ConferenceAudio.hearsMix(m)) {
                throw new RtcException("channel-full", "channel " + id + " cannot take a third member: "
                        + m.uid() + " joined without multistream, so it can receive only one other member");
            }
        }
    }

    /**
     * A group with a phone goes through the conference mixer, which speaks Opus, PCMU and PCMA only
     * (srproxy has no G.722 codec): a member whose audio it could not decode or encode (a G.722
     * phone, or the app passing that phone's G.722 through) keeps the channel one-to-one, and the
     * newcomer is refused rather than leaving that phone in silence.
     */
    private void refuseUnmixableGroup(Member newcomer) {
        List<Member> all = new ArrayList<>(members);
        all.add(newcomer);
        if (all.stream().noneMatch(ConferenceAudio::hearsMix)) {
            return;
        }
        all.sort(Comparator.comparing((Member m) -> !ConferenceAudio.hearsMix(m))); // name a phone first
        for (Member m : all) {
            PayloadFormat c = m.transport().preferred(MediaKind.AUDIO).orElse(null);
            if (c != null && !ConferenceAudio.mixes(c)) {
                String who = ConferenceAudio.hearsMix(m) ? "the phone " + m.uid() : m.uid();
                throw new RtcException("conference-codec", "channel " + id + " cannot take a third member: "
                        + who + " speaks " + c.name() + ", which srproxy cannot mix (the conference mixer takes"
                        + " Opus, PCMU and PCMA only); the call stays one-to-one");
            }
        }
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

    /**
     * Sets which other members' media a multistream member takes on which of its m-lines
     * (replacing what it took before); returns each m-line's SSRC. A subscription to a uid that is
     * not here (yet) is kept and starts when that member joins.
     */
    public synchronized List<Member.Subscription> subscribe(String uid, List<Member.Want> wants) {
        Member m = find(uid).orElseThrow(() -> new RtcException("not-joined", uid + " is not in channel " + id));
        List<Member.Subscription> granted = m.subscribe(wants, 2 * (maxMembers - 1));
        rewire();
        return granted;
    }

    /** Undoes {@code uid}'s last {@link #subscribe} (its renegotiation failed): the m-lines keep their SSRCs. */
    public synchronized void rollbackSubscribe(String uid) {
        find(uid).ifPresent(m -> {
            m.rollback();
            rewire();
        });
    }

    /**
     * A member's codecs changed (a re-offer switched its audio codec): its routes are rebuilt, so
     * a transcoded pair becomes a forwarded one without anyone leaving.
     */
    public synchronized void codecsChanged(String uid) {
        rewire();
        for (Member m : members) {
            if (!m.uid().equals(uid)) {
                m.tell(new RtcEvent.UserCodecChanged(uid));
            }
        }
    }

    /**
     * Which simulcast layer of {@code sourceUid}'s video {@code uid} takes (the SDK's
     * setRemoteVideoStreamType): the route switches at that layer's next key frame.
     */
    public synchronized void setRemoteVideoStreamType(String uid, String sourceUid, int layer) {
        Member m = find(uid).orElseThrow(() -> new RtcException("not-joined", uid + " is not in channel " + id));
        Member source = find(sourceUid).orElseThrow(() -> new RtcException("no-such-user",
                "no member " + sourceUid + " in channel " + id));
        m.setVideoLayer(sourceUid, layer, uids());
        MediaRoute r = routes.get(new Pair(source, m));
        if (r != null) {
            r.selectLayer(layer);
        }
    }

    public synchronized List<String> uids() {
        return members.stream().map(Member::uid).toList();
    }

    public synchronized Optional<Member> member(String uid) {
        return find(uid);
    }

    /** True when some route's audio goes through a transcoder. */
    public synchronized boolean transcoding() {
        return routes.values().stream().anyMatch(MediaRoute::transcodes);
    }

    /**
     * Tells {@code onPassthroughPair} of each pair of members whose audio now flows as it is both
     * ways and was not wired so before (one of its two routes is new); each such pair once.
     */
    private void countPassthroughPairs(Map<Pair, MediaRoute> next) {
        for (MediaRoute r : next.values()) {
            MediaRoute back = next.get(new Pair(r.to(), r.from()));
            if (back == null || !r.forwardsAudio() || !back.forwardsAudio()) {
                continue;
            }
            boolean rNew = routes.get(new Pair(r.from(), r.to())) != r;
            boolean backNew = routes.get(new Pair(r.to(), r.from())) != back;
            // both new: counted from one side only (the one whose sender's uid sorts first)
            if (rNew && (!backNew || r.from().uid().compareTo(r.to().uid()) < 0)) {
                onPassthroughPair.run();
            }
        }
    }

    /** True when audio flows between members and every route carrying it forwards it as it is (no transcoder). */
    public synchronized boolean passthrough() {
        boolean any = false;
        for (MediaRoute r : routes.values()) {
            if (r.audio() != null) {
                if (!r.forwardsAudio()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /** True while a conference mixer carries the phones' audio (a phone in a group of three or more). */
    public synchronized boolean mixing() {
        return conference != null;
    }

    /** Routes wired now (one per sender and receiver that takes something from it). */
    public synchronized int routeCount() {
        return routes.size();
    }

    synchronized boolean isEmpty() {
        return members.isEmpty();
    }

    private Optional<Member> find(String uid) {
        return members.stream().filter(m -> m.uid().equals(uid)).findFirst();
    }

    /**
     * Rebuilds the routes for the current members and subscriptions: a route whose streams are
     * unchanged is kept, the others are made anew and the old ones closed; then every member
     * gets a fanout over its routes.
     */
    private void rewire() {
        boolean mixing = members.size() > 2 && members.stream().anyMatch(ConferenceAudio::hearsMix);
        Map<Pair, MediaRoute> next = new HashMap<>();
        for (Member from : members) {
            for (Member to : members) {
                if (from == to || (members.size() > 2 && !to.multistream()) || (mixing && !from.multistream())) {
                    continue; // a phone in a group: the mixer carries its audio both ways
                }
                OutboundStream audio = to.outbound(from.uid(), MediaKind.AUDIO);
                OutboundStream video = to.outbound(from.uid(), MediaKind.VIDEO);
                if (audio == null && video == null) {
                    continue;
                }
                Pair key = new Pair(from, to);
                MediaRoute old = routes.get(key);
                if (old != null && old.audio() == audio && old.video() == video && old.codecsCurrent()) {
                    next.put(key, old);
                    continue;
                }
                MediaRoute r = new MediaRoute(from, to, audio, video, workers, callWorker);
                next.put(key, r);
                if (r.transcodes()) {
                    onTranscodingPair.run();
                }
            }
        }
        countPassthroughPairs(next);
        for (Map.Entry<Pair, MediaRoute> e : routes.entrySet()) {
            if (next.get(e.getKey()) != e.getValue()) {
                e.getValue().close();
            }
        }
        routes = next;
        if (mixing && conference == null) {
            conference = new ConferenceAudio(callWorker, workers);
            log.info("channel {}: a phone in a group of {}: audio through the conference mixer", LogSafe.of(id), members.size());
        } else if (!mixing && conference != null) {
            conference.close();
            conference = null;
            log.info("channel {}: {} members, conference mixer stopped", LogSafe.of(id), members.size());
        }
        if (conference != null) {
            conference.replan(members);
        }
        for (Member m : members) {
            List<MediaRoute> out = new ArrayList<>();
            List<MediaRoute> in = new ArrayList<>();
            for (MediaRoute r : next.values()) {
                if (r.from() == m) {
                    out.add(r);
                }
                if (r.to() == m) {
                    in.add(r);
                }
            }
            PacketHandler tap = conference == null ? null : conference.inputOf(m);
            m.transport().setHandler(out.isEmpty() && in.isEmpty() ? (tap == null ? PacketHandler.NONE : tap)
                    : new Fanout(out.toArray(new MediaRoute[0]), in.toArray(new MediaRoute[0]), m, tap));
        }
    }
}
