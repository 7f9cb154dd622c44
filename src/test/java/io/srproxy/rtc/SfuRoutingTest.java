package io.srproxy.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.srproxy.media.MediaKind;
import io.srproxy.media.PayloadFormat;
import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.media.rtp.RtpIoLoop;
import io.srproxy.media.rtp.RtpPortAllocator;
import io.srproxy.media.rtp.RtpSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * N-member channels: each multistream member's media goes to every member that subscribes to it,
 * rewritten into that receiver's stream for the m-line (its SSRC, continuous sequence numbers
 * and timestamps, its payload type); feedback from a receiver reaches the sender whose stream it
 * names; joins and leaves leave no route behind; single-stream members keep the 1:1 behaviour
 * and a SIP leg is refused in a group.
 */
class SfuRoutingTest {

    private static final PayloadFormat VP8_96 = new PayloadFormat(96, "VP8", 90000, 1, "");
    private static final PayloadFormat VP8_100 = new PayloadFormat(100, "VP8", 90000, 1, "");

    private final ChannelRegistry registry = new ChannelRegistry(5);
    private final Map<String, CapturingTransport> transports = new HashMap<>();

    private CapturingTransport join(String uid, long ssrc, PayloadFormat... codecs) {
        CapturingTransport t = new CapturingTransport(ssrc, codecs);
        registry.join("room", uid, t, e -> {}, true);
        transports.put(uid, t);
        return t;
    }

    private Channel channel() {
        return registry.channel("room").orElseThrow();
    }

    /** Subscribes {@code uid} to audio (mid "a-<src>") and video (mid "v-<src>") of each source; returns SSRC by mid. */
    private Map<String, Long> subscribeAll(String uid, String... sources) {
        List<Member.Want> wants = new ArrayList<>();
        for (String s : sources) {
            wants.add(new Member.Want("a-" + s, MediaKind.AUDIO, s));
            wants.add(new Member.Want("v-" + s, MediaKind.VIDEO, s));
        }
        Map<String, Long> ssrcs = new HashMap<>();
        for (Member.Subscription g : channel().subscribe(uid, wants)) {
            ssrcs.put(g.mid(), g.ssrc());
        }
        return ssrcs;
    }

    private static byte[] rtp(int pt, int seq, long ts, long ssrc) {
        byte[] p = new byte[12 + 20];
        RtpHeader.writeFixed(p, 0, false, pt, seq, ts, ssrc);
        p[12] = (byte) seq;
        return p;
    }

    @Test
    void threeMembersEachGetTheTwoOthersOnTheirOwnStreams() {
        CapturingTransport a = join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        CapturingTransport b = join("b", 0xB0, PayloadFormat.opus(109), VP8_100);
        CapturingTransport c = join("c", 0xC0, PayloadFormat.opus(111), VP8_96);
        Map<String, Long> aSsrc = subscribeAll("a", "b", "c");
        Map<String, Long> bSsrc = subscribeAll("b", "a", "c");
        subscribeAll("c", "a", "b");
        assertThat(channel().routeCount()).isEqualTo(6);

        for (int i = 0; i < 5; i++) {
            a.receiveRtp(rtp(111, 1000 + i, 960L * i, 0x1111));
            c.receiveRtp(rtp(111, 50 + i, 48000 + 960L * i, 0x3333));
        }
        a.receiveRtp(rtp(96, 7, 90000, 0x1112)); // a's video

        // b hears a and c, each on the SSRC of its m-line, in b's payload type, continuous
        List<byte[]> toB = b.sentRtp;
        assertThat(toB).hasSize(11);
        List<byte[]> bFromA = toB.stream().filter(p -> RtpHeader.ssrc(p, 0) == bSsrc.get("a-a")).toList();
        List<byte[]> bFromC = toB.stream().filter(p -> RtpHeader.ssrc(p, 0) == bSsrc.get("a-c")).toList();
        assertThat(bFromA).hasSize(5);
        assertThat(bFromC).hasSize(5);
        for (List<byte[]> stream : List.of(bFromA, bFromC)) {
            for (int i = 1; i < stream.size(); i++) {
                assertThat(RtpHeader.payloadType(stream.get(i), 0)).isEqualTo(109);
                assertThat((RtpHeader.sequence(stream.get(i), 0) - RtpHeader.sequence(stream.get(i - 1), 0)) & 0xFFFF).isEqualTo(1);
                assertThat(RtpHeader.timestamp(stream.get(i), 0) - RtpHeader.timestamp(stream.get(i - 1), 0)).isEqualTo(960);
            }
        }
        byte[] video = toB.stream().filter(p -> RtpHeader.ssrc(p, 0) == bSsrc.get("v-a")).findFirst().orElseThrow();
        assertThat(RtpHeader.payloadType(video, 0)).isEqualTo(100);
        // the payload is intact in every copy (the fanout copies for all but the last receiver)
        assertThat(bFromA.get(3)[12]).isEqualTo((byte) 1003);
        assertThat(c.sentRtp.stream().filter(p -> RtpHeader.payloadType(p, 0) == 111 && p[12] == (byte) 1003)).hasSize(1);

        // a hears b and c, never itself
        assertThat(a.sentRtp).hasSize(5);
        assertThat(a.sentRtp).allMatch(p -> RtpHeader.ssrc(p, 0) == aSsrc.get("a-c"));
    }

    @Test
    void feedbackGoesToTheSenderItNames() {
        CapturingTransport a = join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        CapturingTransport b = join("b", 0xB0, PayloadFormat.opus(111), VP8_96);
        CapturingTransport c = join("c", 0xC0, PayloadFormat.opus(111), VP8_96);
        subscribeAll("a", "b", "c");
        Map<String, Long> bSsrc = subscribeAll("b", "a", "c");
        subscribeAll("c", "a", "b");
        a.receiveRtp(rtp(96, 500, 90000, 0xAAA1));
        c.receiveRtp(rtp(96, 9000, 90000, 0xCCC1));
        long cVideoAtB = bSsrc.get("v-c");
        int seqAtB = b.sentRtp.stream().filter(p -> RtpHeader.ssrc(p, 0) == cVideoAtB)
                .mapToInt(p -> RtpHeader.sequence(p, 0)).findFirst().orElseThrow();
        // each new receiver's first video packet asked its sender for a key frame (two receivers each)
        assertThat(a.sentRtcp).hasSize(2).allMatch(p -> RtpHeader.readUint32(p, 8) == 0xAAA1 && (p[0] & 0x1F) == 1);
        assertThat(c.sentRtcp).hasSize(2).allMatch(p -> RtpHeader.readUint32(p, 8) == 0xCCC1 && (p[0] & 0x1F) == 1);
        a.sentRtcp.clear();
        c.sentRtcp.clear();

        // b's PLI about c's video goes to c, with c's own SSRC as media source
        byte[] pli = new byte[12];
        pli[0] = (byte) 0x81;
        pli[1] = (byte) 206;
        pli[3] = 2;
        RtpHeader.writeUint32(pli, 4, 0xB1);
        RtpHeader.writeUint32(pli, 8, cVideoAtB);
        b.receiveRtcp(pli);
        assertThat(a.sentRtcp).isEmpty();
        assertThat(c.sentRtcp).hasSize(1);
        assertThat(RtpHeader.readUint32(c.sentRtcp.get(0), 8)).isEqualTo(0xCCC1);

        // b's NACK of c's packet is mapped back to c's sequence number
        byte[] nack = new byte[16];
        nack[0] = (byte) 0x81;
        nack[1] = (byte) 205;
        nack[3] = 3;
        RtpHeader.writeUint32(nack, 4, 0xB1);
        RtpHeader.writeUint32(nack, 8, cVideoAtB);
        nack[12] = (byte) (seqAtB >>> 8);
        nack[13] = (byte) seqAtB;
        b.receiveRtcp(nack);
        assertThat(c.sentRtcp).hasSize(2);
        byte[] passed = c.sentRtcp.get(1);
        assertThat(RtpHeader.readUint32(passed, 8)).isEqualTo(0xCCC1);
        assertThat(((passed[12] & 0xFF) << 8) | (passed[13] & 0xFF)).isEqualTo(9000);
        assertThat(a.sentRtcp).isEmpty();

        // b's FIR naming a's video goes to a, asking for a's own SSRC
        long aVideoAtB = bSsrc.get("v-a");
        byte[] fir = new byte[20];
        fir[0] = (byte) 0x84;
        fir[1] = (byte) 206;
        fir[3] = 4;
        RtpHeader.writeUint32(fir, 4, 0xB1);
        RtpHeader.writeUint32(fir, 12, aVideoAtB);
        fir[16] = 1;
        b.receiveRtcp(fir);
        assertThat(a.sentRtcp).hasSize(1);
        assertThat(a.sentRtcp.get(0)[0] & 0x1F).isEqualTo(4);
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(0), 12)).isEqualTo(0xAAA1);
        assertThat(c.sentRtcp).hasSize(2);

        // c's PLI about a's video goes to a too, not to b
        Map<String, Long> cSsrc = subscribeAll("c", "a", "b");
        RtpHeader.writeUint32(pli, 8, cSsrc.get("v-a"));
        transports.get("c").receiveRtcp(pli);
        assertThat(a.sentRtcp).hasSize(2);
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(1), 8)).isEqualTo(0xAAA1);
        assertThat(b.sentRtcp).isEmpty();

        // a PLI naming an SSRC b does not receive goes nowhere
        RtpHeader.writeUint32(pli, 8, 0x12345678L);
        b.receiveRtcp(pli);
        assertThat(a.sentRtcp).hasSize(2);
        assertThat(c.sentRtcp).hasSize(2);
    }

    @Test
    void aNewSubscribersVideoStartsWithAKeyFrameRequest() {
        CapturingTransport a = join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        join("b", 0xB0, PayloadFormat.opus(111), VP8_96);
        subscribeAll("b", "a");
        a.receiveRtp(rtp(96, 1, 90000, 0xAAA1));
        a.receiveRtp(rtp(96, 2, 90000, 0xAAA1));
        assertThat(a.sentRtcp).hasSize(1); // once per route, not per packet
        // a third member subscribes: its route asks for a key frame of its own
        join("c", 0xC0, PayloadFormat.opus(111), VP8_96);
        subscribeAll("c", "a");
        a.receiveRtp(rtp(96, 3, 93000, 0xAAA1));
        assertThat(a.sentRtcp).hasSize(2);
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(1), 8)).isEqualTo(0xAAA1);
        assertThat(transports.get("c").sentRtp).hasSize(1);
    }

    @Test
    void aLeaverTakesItsRoutesAndTheOthersGoOn() {
        CapturingTransport a = join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        CapturingTransport b = join("b", 0xB0, PayloadFormat.opus(111), VP8_96);
        join("c", 0xC0, PayloadFormat.opus(111), VP8_96);
        subscribeAll("a", "b", "c");
        Map<String, Long> bSsrc = subscribeAll("b", "a", "c");
        subscribeAll("c", "a", "b");
        a.receiveRtp(rtp(111, 1, 0, 0x1111));
        assertThat(registry.leave("room", "c", "leave")).isTrue();
        assertThat(transports.get("c").handler()).isSameAs(PacketHandler.NONE);
        assertThat(channel().routeCount()).isEqualTo(2);
        a.receiveRtp(rtp(111, 2, 960, 0x1111));
        List<byte[]> fromA = b.sentRtp.stream().filter(p -> RtpHeader.ssrc(p, 0) == bSsrc.get("a-a")).toList();
        assertThat(fromA).hasSize(2);
        assertThat(RtpHeader.sequence(fromA.get(1), 0) - RtpHeader.sequence(fromA.get(0), 0)).isEqualTo(1);
        registry.leave("room", "a", "leave");
        registry.leave("room", "b", "leave");
        assertThat(registry.size()).isZero();
    }

    @Test
    void joinsAndLeavesInARowLeaveNothingBehind() {
        join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        join("b", 0xB0, PayloadFormat.opus(111), VP8_96);
        subscribeAll("a", "b", "x");
        subscribeAll("b", "a", "x");
        for (int i = 0; i < 20; i++) {
            join("x", 0x100 + i, PayloadFormat.opus(111), VP8_96);
            subscribeAll("x", "a", "b");
            assertThat(channel().routeCount()).isEqualTo(6);
            registry.leave("room", "x", "leave");
            assertThat(channel().routeCount()).isEqualTo(2);
        }
        assertThat(channel().uids()).containsExactly("a", "b");
    }

    @Test
    void anMlineKeepsItsSsrcForOneSourceAndGetsANewOneWhenReused() {
        join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        join("b", 0xB0, PayloadFormat.opus(111), VP8_96);
        join("c", 0xC0, PayloadFormat.opus(111), VP8_96);
        Member.Want fromB = new Member.Want("2", MediaKind.AUDIO, "b");
        long first = channel().subscribe("a", List.of(fromB)).get(0).ssrc();
        assertThat(channel().subscribe("a", List.of(fromB, new Member.Want("3", MediaKind.AUDIO, "c"))).get(0).ssrc())
                .as("the same source goes on on its SSRC").isEqualTo(first);
        // Chrome shows nothing on an m-line that comes back from inactive with the SSRC it had
        long other = channel().subscribe("a", List.of(new Member.Want("2", MediaKind.AUDIO, "c"))).get(0).ssrc();
        assertThat(other).isNotEqualTo(first);
        channel().subscribe("a", List.of());
        long back = channel().subscribe("a", List.of(new Member.Want("2", MediaKind.AUDIO, "c"))).get(0).ssrc();
        assertThat(back).as("idle, then the same source again").isNotIn(first, other);
        // a failed renegotiation leaves the m-lines as the client still has them
        channel().subscribe("a", List.of(new Member.Want("2", MediaKind.AUDIO, "b")));
        channel().rollbackSubscribe("a");
        assertThat(channel().subscribe("a", List.of(new Member.Want("2", MediaKind.AUDIO, "c"))).get(0).ssrc()).isEqualTo(back);
        assertThatThrownBy(() -> channel().subscribe("a", List.of(new Member.Want("2", MediaKind.VIDEO, "c"))))
                .hasMessageContaining("cannot carry video");
    }

    @Test
    void subscriptionsAreBounded() {
        join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
        List<Member.Want> many = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            many.add(new Member.Want("m" + i, MediaKind.AUDIO, "u" + i));
        }
        // max 5 members: 2 * 4 m-lines may carry others' media
        assertThatThrownBy(() -> channel().subscribe("a", many)).isInstanceOf(RtcException.class)
                .hasMessageContaining("at most 8");
    }

    @Test
    void theMemberCapIsKept() {
        for (int i = 0; i < 5; i++) {
            join("u" + i, 0x10 * (i + 1), PayloadFormat.opus(111));
        }
        assertThatThrownBy(() -> join("u5", 0x99, PayloadFormat.opus(111))).isInstanceOf(RtcException.class)
                .hasMessageContaining("max_members");
    }

    @Test
    void singleStreamMembersKeepTheOneToOneBehaviourAndAreRefusedInAGroup() {
        CapturingTransport a = new CapturingTransport(0xA0, PayloadFormat.opus(111), VP8_96);
        CapturingTransport b = new CapturingTransport(0xB0, PayloadFormat.opus(111), VP8_96);
        registry.join("room", "a", a, e -> {});
        registry.join("room", "b", b, e -> {});
        a.receiveRtp(rtp(111, 1, 0, 0x1111));
        a.receiveRtp(rtp(96, 1, 0, 0x1112));
        assertThat(b.sentRtp).hasSize(2);
        assertThat(RtpHeader.ssrc(b.sentRtp.get(0), 0)).isEqualTo(0xB0); // its one stream, as before
        assertThat(RtpHeader.ssrc(b.sentRtp.get(1), 0)).isEqualTo(0xB1);
        byte[] pli = new byte[12];
        pli[0] = (byte) 0x81;
        pli[1] = (byte) 206;
        pli[3] = 2;
        RtpHeader.writeUint32(pli, 8, 0); // a peer that leaves the media SSRC 0 still gets its key frame
        assertThat(a.sentRtcp).hasSize(1); // the route's first video asked for a key frame
        b.receiveRtcp(pli);
        assertThat(a.sentRtcp).hasSize(2);
        assertThat(RtpHeader.readUint32(a.sentRtcp.get(1), 8)).isEqualTo(0x1112);
        assertThatThrownBy(() -> join("c", 0xC0, PayloadFormat.opus(111))).isInstanceOf(RtcException.class)
                .hasMessageContaining("without multistream");
    }

    @Test
    void aSipLegInAGroupGoesThroughTheConferenceMixer() throws Exception {
        RtpIoLoop loop = new RtpIoLoop("test-rtp-io");
        java.util.concurrent.ScheduledExecutorService timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        int base = 30000 + 2 * java.util.concurrent.ThreadLocalRandom.current().nextInt(2000);
        try (RtpSession session = RtpSession.open(
                new RtpPortAllocator(java.net.InetAddress.getLoopbackAddress(), base, base + 20),
                loop, timers, System::nanoTime, RtpSession.Options.of(30), null);
             RtpSessionTransport leg = new RtpSessionTransport(session, List.of(PayloadFormat.PCMU))) {
            join("a", 0xA0, PayloadFormat.opus(111), VP8_96);
            registry.join("room", "sip~1", leg, e -> {});
            // the leg takes the app's audio at once, transcoded into its one stream; the app takes the
            // leg's once it subscribes
            assertThat(channel().transcoding()).isTrue();
            assertThat(channel().routeCount()).isEqualTo(1);
            channel().subscribe("a", List.of(new Member.Want("2", MediaKind.AUDIO, "sip~1")));
            assertThat(channel().routeCount()).isEqualTo(2);
            // a third member: the phone's audio moves to the mixer, the apps' routes stay between them
            join("b", 0xB0, PayloadFormat.opus(111), VP8_96);
            assertThat(channel().mixing()).isTrue();
            assertThat(channel().uids()).containsExactly("a", "sip~1", "b");
            assertThat(channel().routeCount()).isZero();
            subscribeAll("a", "b");
            subscribeAll("b", "a");
            assertThat(channel().routeCount()).isEqualTo(2);
            registry.leave("room", "b", "bye");
            assertThat(channel().mixing()).isFalse();
            assertThat(channel().routeCount()).isEqualTo(1); // the 1:1 route to the leg is back
            assertThat(registry.workers().mixerClock().liveMixers()).isZero();
        } finally {
            loop.close();
            timers.shutdownNow();
        }
    }
}
