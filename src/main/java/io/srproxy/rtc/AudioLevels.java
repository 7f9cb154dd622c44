package io.srproxy.rtc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One listener's view of a channel's audio levels (the SDK's {@code volume-indicator}): each read
 * gives every member's average level since the previous read and the active speaker, the loudest
 * member at or above {@link #SPEAKING}, kept while nobody is louder. Not thread-safe: one per
 * signalling session, read on its serial executor.
 */
public final class AudioLevels {

    /** A level from which a member counts as speaking (about -54 dBov). */
    public static final int SPEAKING = 10;

    public record Level(String uid, int level) {}

    /** {@code activeSpeaker}: null until someone has spoken. */
    public record Report(List<Level> levels, String activeSpeaker) {}

    private final Map<String, Long> previous = new HashMap<>();
    private String activeSpeaker;

    public Report read(Channel channel) {
        List<Level> levels = new ArrayList<>();
        Map<String, Long> now = new HashMap<>();
        String loudest = null;
        int loudestLevel = -1;
        int speakerLevel = -1;
        for (String uid : channel.uids()) {
            Member m = channel.member(uid).orElse(null);
            if (m == null) {
                continue;
            }
            long c = m.audioLevel().counts();
            now.put(uid, c);
            Long before = previous.get(uid);
            // first read of this member: its latest level stands for the interval
            int level = before == null ? m.audioLevel().lastLevel() : AudioLevelMeter.average(before, c);
            levels.add(new Level(uid, level));
            if (level > loudestLevel) {
                loudest = uid;
                loudestLevel = level;
            }
            if (uid.equals(activeSpeaker)) {
                speakerLevel = level;
            }
        }
        previous.clear();
        previous.putAll(now); // members that left are forgotten
        if (loudest != null && loudestLevel >= SPEAKING && loudestLevel > speakerLevel) {
            activeSpeaker = loudest;
        }
        return new Report(List.copyOf(levels), activeSpeaker);
    }
}
