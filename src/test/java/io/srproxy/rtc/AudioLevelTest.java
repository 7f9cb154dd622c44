package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.RtpHeaderExtensions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.srproxy.testsupport.RunsAlone;

/**
 * The RFC 6464 audio level: found in one-byte and two-byte header extension blocks among other
 * elements, mapped to the 0..100 volume scale (louder = higher), averaged per reader, and the
 * loudest member made the active speaker.
 */
@RunsAlone
class AudioLevelTest {

    /** An Opus packet with a one-byte extension block: mid "0" (id 4), then the level (id 1). */
    static byte[] withLevel(long ssrc, int seq, int dBov, boolean voice) {
        byte[] p = new byte[12 + 12 + 10];
        RtpHeader.writeFixed(p, 0, false, 111, seq, 960L * seq, ssrc);
        p[0] |= 0x10;
        p[12] = (byte) 0xBE;
        p[13] = (byte) 0xDE;
        p[15] = 2; // two words
        p[16] = 0x40; // id 4, one byte
        p[17] = '0';
        p[18] = 0; // padding
        p[19] = 0x10; // id 1, one byte
        p[20] = (byte) ((voice ? 0x80 : 0) | dBov);
        return p;
    }

    @Test
    void findsElementsInBothForms() {
        byte[] p = withLevel(1, 1, 30, true);
        long f = RtpHeaderExtensions.find(p, 0, p.length, 1);
        assertThat(RtpHeaderExtensions.offset(f)).isEqualTo(20);
        assertThat(RtpHeaderExtensions.length(f)).isEqualTo(1);
        assertThat(RtpHeaderExtensions.equalsAscii(p, RtpHeaderExtensions.find(p, 0, p.length, 4), "0")).isTrue();
        assertThat(RtpHeaderExtensions.find(p, 0, p.length, 3)).isEqualTo(-1);

        // two-byte form: id 10 with "h", then id 1 with a level
        byte[] q = new byte[12 + 12 + 4];
        RtpHeader.writeFixed(q, 0, false, 96, 1, 0, 2);
        q[0] |= 0x10;
        q[12] = 0x10;
        q[13] = 0x00;
        q[15] = 2;
        q[16] = 10;
        q[17] = 1;
        q[18] = 'h';
        q[19] = 1;
        q[20] = 1;
        q[21] = 40;
        long g = RtpHeaderExtensions.find(q, 0, q.length, 10);
        assertThat(RtpHeaderExtensions.equalsAscii(q, g, "h")).isTrue();
        assertThat(RtpHeaderExtensions.equalsAscii(q, g, "l")).isFalse();
        assertThat(q[RtpHeaderExtensions.offset(RtpHeaderExtensions.find(q, 0, q.length, 1))]).isEqualTo((byte) 40);

        // no extension bit, or a block longer than the packet: nothing
        byte[] plain = new byte[20];
        RtpHeader.writeFixed(plain, 0, false, 111, 1, 0, 3);
        assertThat(RtpHeaderExtensions.find(plain, 0, plain.length, 1)).isEqualTo(-1);
        p[15] = 40;
        assertThat(RtpHeaderExtensions.find(p, 0, p.length, 1)).isEqualTo(-1);
    }

    @Test
    void theExtensionBlockIsRemovedForSipLegs() {
        byte[] p = withLevel(1, 1, 30, true);
        p[24] = 42; // first payload byte
        int n = RtpHeader.removeExtension(p, 0, p.length);
        assertThat(n).isEqualTo(p.length - 12);
        assertThat(RtpHeader.extension(p, 0)).isFalse();
        assertThat(RtpHeader.headerLength(p, 0, n)).isEqualTo(12);
        assertThat(p[12]).isEqualTo((byte) 42);
        assertThat(RtpHeader.removeExtension(p, 0, n)).isEqualTo(n); // none left: unchanged
    }

    @Test
    void levelsMapLouderToHigher() {
        assertThat(AudioLevelMeter.level(0)).isEqualTo(100);
        assertThat(AudioLevelMeter.level(30)).isEqualTo(50);
        assertThat(AudioLevelMeter.level(59)).isEqualTo(1);
        assertThat(AudioLevelMeter.level(60)).isZero();
        assertThat(AudioLevelMeter.level(127)).isZero(); // digital silence
        for (int d = 1; d < 128; d++) {
            assertThat(AudioLevelMeter.level(d)).isLessThanOrEqualTo(AudioLevelMeter.level(d - 1));
        }
    }

    /** A transport whose audio level arrives as extension id 1. */
    private static CapturingTransport withLevelExtension(long ssrc) {
        CapturingTransport t = new CapturingTransport(ssrc, PayloadFormat.opus(111));
        t.extensions = new RtpExtensions(1, 0, List.of());
        return t;
    }

    @Test
    void theLoudestMemberIsTheActiveSpeaker() {
        ChannelRegistry registry = new ChannelRegistry(5);
        CapturingTransport loud = withLevelExtension(0xA0);
        CapturingTransport quiet = withLevelExtension(0xB0);
        registry.join("room", "loud", loud, e -> {}, true);
        registry.join("room", "quiet", quiet, e -> {}, true);
        Channel ch = registry.channel("room").orElseThrow();
        ch.subscribe("loud", List.of(new Member.Want("1", MediaKind.AUDIO, "quiet")));
        ch.subscribe("quiet", List.of(new Member.Want("1", MediaKind.AUDIO, "loud")));
        AudioLevels levels = new AudioLevels();
        AudioLevels.Report first = levels.read(ch);
        assertThat(first.levels()).containsExactly(new AudioLevels.Level("loud", 0), new AudioLevels.Level("quiet", 0));
        assertThat(first.activeSpeaker()).isNull();

        for (int i = 0; i < 10; i++) {
            loud.receiveRtp(withLevel(0x1111, i, i % 2 == 0 ? 20 : 30, true)); // 66 and 50: 58 on average
            quiet.receiveRtp(withLevel(0x2222, i, 127, false));
        }
        AudioLevels.Report r = levels.read(ch);
        assertThat(toMap(r)).isEqualTo(Map.of("loud", 58, "quiet", 0));
        assertThat(r.activeSpeaker()).isEqualTo("loud");
        // nothing since: levels 0, and the speaker stays until someone is louder
        AudioLevels.Report idle = levels.read(ch);
        assertThat(toMap(idle)).isEqualTo(Map.of("loud", 0, "quiet", 0));
        assertThat(idle.activeSpeaker()).isEqualTo("loud");
        quiet.receiveRtp(withLevel(0x2222, 20, 10, true));
        assertThat(levels.read(ch).activeSpeaker()).isEqualTo("quiet");
    }

    @Test
    void readingLevelsAndRidsAllocatesNothingPerPacket() {
        CapturingTransport t = new CapturingTransport(0xA0, PayloadFormat.opus(111));
        t.extensions = new RtpExtensions(1, 4, List.of("0", "1")); // the mid element stands in for a rid
        AudioLevelMeter meter = new AudioLevelMeter(t);
        SimulcastLayers layers = new SimulcastLayers(t);
        byte[] p = withLevel(0x1111, 1, 30, true);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        for (int i = 0; i < 20_000; i++) { // warm up (JIT)
            meter.onRtp(p, 0, p.length);
            layers.onRtp(p, 0, p.length);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            meter.onRtp(p, 0, p.length);
            layers.onRtp(p, 0, p.length);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated for 10000 packets").isLessThan(1000);
        assertThat(layers.layerOf(0x1111)).isEqualTo(SimulcastLayers.HIGH);
        assertThat(AudioLevelMeter.average(0, meter.counts())).isEqualTo(50);
    }

    private static Map<String, Integer> toMap(AudioLevels.Report r) {
        return r.levels().stream().collect(java.util.stream.Collectors.toMap(AudioLevels.Level::uid, AudioLevels.Level::level));
    }
}
