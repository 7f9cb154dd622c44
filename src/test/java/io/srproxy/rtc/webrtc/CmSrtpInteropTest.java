package io.srproxy.rtc.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.srproxy.media.rtp.RtpHeader;
import io.srproxy.testsupport.RandomSrtpKeys;
import java.util.Arrays;
import java.util.Random;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.api.Test;

/**
 * Our allocation-free AES128_CM_HMAC_SHA1_80 against jitsi-srtp, a second implementation, packet
 * by packet in both directions: across a sequence-number wrap (rollover counter), with reordered
 * packets, replays, and SRTCP; and many sessions interleaved on two threads, since a thread's
 * work arrays and digest serve all its sessions.
 */
class CmSrtpInteropTest {

    private static final Random RANDOM = new Random(7);

    private static SrtpKeys keys() {
        return RandomSrtpKeys.of(RANDOM);
    }

    @Test
    void ownAndJitsiReadEachOtherAcrossTheRolloverWithReordering() {
        SrtpKeys keys = keys();
        check(new SrtpSession(keys, true, true), new SrtpSession(keys, false, false));
        check(new SrtpSession(keys, true, false), new SrtpSession(keys, false, true));
    }

    @Test
    void sessionsInterleavedOnTwoThreadsEachMatchJitsi() throws Exception {
        int sessions = 40;
        SrtpSession[] ours = new SrtpSession[sessions];
        SrtpSession[] jitsi = new SrtpSession[sessions];
        for (int i = 0; i < sessions; i++) {
            SrtpKeys keys = keys();
            ours[i] = new SrtpSession(keys, true, true);
            jitsi[i] = new SrtpSession(keys, false, false);
        }
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int parity = t;
                done.add(two.submit(() -> {
                    Random random = new Random(parity);
                    SrtpSession.Failure f = new SrtpSession.Failure();
                    for (int seq = 0; seq < 200; seq++) {
                        for (int i = parity; i < sessions; i += 2) { // this thread's sessions, in turn
                            // a packet each way, lengths varying so a short one follows a long one
                            int len = 12 + 1 + random.nextInt(400);
                            byte[] p = new byte[len];
                            random.nextBytes(p);
                            RtpHeader.writeFixed(p, 0, false, 0, seq, 160L * seq, 0x1000 + i);
                            byte[] b = Arrays.copyOf(p, len + SrtpSession.TRAILER_ROOM);
                            int n = ours[i].protectRtp(b, 0, len);
                            assertThat(jitsi[i].unprotectRtp(b, 0, n, f)).as("session %d seq %d (%s)", i, seq, f.last).isEqualTo(len);
                            assertThat(Arrays.copyOf(b, len)).isEqualTo(p);
                            b = Arrays.copyOf(p, len + SrtpSession.TRAILER_ROOM);
                            n = jitsi[i].protectRtp(b, 0, len);
                            assertThat(ours[i].unprotectRtp(b, 0, n, f)).as("session %d seq %d (%s)", i, seq, f.last).isEqualTo(len);
                            assertThat(Arrays.copyOf(b, len)).isEqualTo(p);
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> d : done) {
                d.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            two.shutdownNow();
            for (int i = 0; i < sessions; i++) {
                ours[i].close();
                jitsi[i].close();
            }
        }
    }

    private static void check(SrtpSession sender, SrtpSession receiver) {
        try (sender; receiver) {
            SrtpSession.Failure f = new SrtpSession.Failure();
            int start = 65536 - 300;
            byte[][] protectedPackets = new byte[600][];
            byte[][] plain = new byte[600][];
            for (int i = 0; i < 600; i++) {
                int len = 12 + 20 + RANDOM.nextInt(200);
                byte[] p = new byte[len];
                RANDOM.nextBytes(p);
                RtpHeader.writeFixed(p, 0, false, 111, (start + i) & 0xFFFF, 960L * i, 0xCAFE);
                plain[i] = p;
                byte[] b = Arrays.copyOf(p, len + SrtpSession.TRAILER_ROOM);
                int n = sender.protectRtp(b, 0, len);
                assertThat(n).isEqualTo(len + 10);
                protectedPackets[i] = Arrays.copyOf(b, n);
            }
            // deliver with every 7th pair swapped, and a replay of each 50th packet
            for (int i = 0; i < 600; i++) {
                int j = (i % 7 == 0 && i + 1 < 600) ? i + 1 : (i % 7 == 1 ? i - 1 : i);
                byte[] in = Arrays.copyOf(protectedPackets[j], protectedPackets[j].length + SrtpSession.TRAILER_ROOM);
                int n = receiver.unprotectRtp(in, 0, protectedPackets[j].length, f);
                assertThat(n).as("packet %d (%s)", j, f.last).isEqualTo(plain[j].length);
                assertThat(Arrays.copyOf(in, n)).isEqualTo(plain[j]);
                if (i % 50 == 0) {
                    byte[] again = Arrays.copyOf(protectedPackets[j], protectedPackets[j].length + SrtpSession.TRAILER_ROOM);
                    assertThat(receiver.unprotectRtp(again, 0, protectedPackets[j].length, f)).isEqualTo(-1);
                    assertThat(f.last).isIn(SrtpErrorStatus.REPLAY_FAIL, SrtpErrorStatus.REPLAY_OLD);
                }
            }
            for (int i = 0; i < 50; i++) {
                byte[] rr = new byte[32];
                RANDOM.nextBytes(rr);
                rr[0] = (byte) 0x81;
                rr[1] = (byte) 201;
                rr[2] = 0;
                rr[3] = 7;
                byte[] b = Arrays.copyOf(rr, rr.length + SrtpSession.TRAILER_ROOM);
                int n = sender.protectRtcp(b, 0, rr.length);
                assertThat(n).isEqualTo(rr.length + 14);
                assertThat(receiver.unprotectRtcp(b, 0, n, f)).as("rtcp %d (%s)", i, f.last).isEqualTo(rr.length);
                assertThat(Arrays.copyOf(b, rr.length)).isEqualTo(rr);
            }
        }
    }
}
