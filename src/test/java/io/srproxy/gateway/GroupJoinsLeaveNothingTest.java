package io.srproxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.Srproxy;
import io.srproxy.media.codec.OpusEncoder;
import io.srproxy.rtc.Channel;
import io.srproxy.rtc.webrtc.LoadPeers;
import io.srproxy.sip.harness.BaresipPhone;
import io.srproxy.sip.harness.KamailioServer;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import io.srproxy.testsupport.PromScrape;
import io.srproxy.testsupport.Tones;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * 20 joins and leaves of a third member leave nothing behind: a phone (baresip, dialled in to
 * {@code 8<room>}) and an app (a real DTLS-SRTP peer over /rtc) talk 1:1; a second app joins
 * (three members: the conference mixer starts) and leaves, 20 times. Afterwards the channel has
 * its two members and routes, no mixer runs, and the WebRTC sessions, RTP ports and srproxy's
 * threads are as before; the 1:1 call still carries the app's audio to the phone (its tone, not
 * the guests', is in the last two seconds of the phone's recording) and the phone's audio to the
 * app (on the m-line its re-offer subscribed).
 */
class GroupJoinsLeaveNothingTest {

    private static final String ROOM = "5151";
    private static final double APP_TONE = 700;
    /** The guests' tone: baresip records only what arrives, so the recording's end must tell the app from the last guest. */
    private static final double GUEST_TONE = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twentyJoinsAndLeavesOfAThirdMemberLeaveNothingBehind() throws Exception {
        Peers.baresip();
        Peers.kamailio();
        ExecutorService wsPool = Executors.newFixedThreadPool(2); // fixed: its threads do not come and go
        try (KamailioServer kamailio = KamailioServer.start("1000", FreePorts.tcpAndUdp(), KamailioServer.ZeroMode.KEEP, 300);
             Srproxy srproxy = GatewayUnderTest.start("srproxy", kamailio.port(), "1009", "[conference]\non=1\nprefix=8\n");
             LoadPeers peers = opusPeers(APP_TONE);
             LoadPeers guests = opusPeers(GUEST_TONE);
             BaresipPhone phone = BaresipPhone.start("1005", kamailio.port(), 1000)) {
            HttpClient http = HttpClient.newBuilder().executor(wsPool).build();
            RtcApp stay = RtcApp.join(http, srproxy.webPort(), peers, "stay");
            await().atMost(Duration.ofSeconds(15)).until(stay::connected);
            phone.dial("8" + ROOM);
            await().atMost(Duration.ofSeconds(20)).until(() -> inRoom(srproxy).contains("sip~1005"));
            stay.subscribe("sip~1005"); // a renegotiation as the SDK makes it (the answer is checked)
            Channel channel = srproxy.rtc().channels().channel(ROOM).orElseThrow();
            assertThat(channel.mixing()).isFalse();

            // one warm-up round, so that the baseline holds the pools' threads a group needs at all
            cycle(http, srproxy, guests, channel, 0);
            int routes = channel.routeCount();
            int sessions = srproxy.rtc().mux().sessions();
            int ports = srproxy.sip().orElseThrow().rtpPortsInUse();
            Map<String, Long> threads = threads();
            for (int i = 1; i <= 20; i++) {
                cycle(http, srproxy, guests, channel, i);
            }
            assertThat(channel.uids()).containsExactlyInAnyOrder("stay", "sip~1005");
            assertThat(channel.routeCount()).isEqualTo(routes);
            assertThat(channel.mixing()).isFalse();
            assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isZero();
            assertThat(PromScrape.parse(srproxy.metrics().scrape()).value("srproxy_rtc_mixers")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.rtc().mux().sessions() == sessions);
            assertThat(srproxy.sip().orElseThrow().rtpPortsInUse()).isEqualTo(ports);
            assertThat(srproxy.rtc().channels().size()).isEqualTo(1);
            await("threads as before the 20 rounds").atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(grown(threads, threads())).isEmpty());
            // the DTLS handshake pool is bounded and lets idle threads go after 30 s
            assertThat(srproxy.rtc().webrtc().handshakeThreads())
                    .isLessThanOrEqualTo(io.srproxy.rtc.webrtc.WebRtcEndpoint.defaultHandshakeThreads());

            // the 1:1 call goes on both ways: the app gets the phone's audio on its subscribed m-line
            long fromPhone = stay.receivedFrom("sip~1005");
            Thread.sleep(3000);
            assertThat(stay.receivedFrom("sip~1005") - fromPhone).as("the app's packets from the phone in the last 3 s")
                    .isGreaterThan(100);
            phone.hangUp();
            Path rec = await().atMost(Duration.ofSeconds(15)).until(phone::receivedRecording, r -> r.isPresent()).get();
            await().atMost(Duration.ofSeconds(5)).until(() -> Tones.readWav(rec).samples().length > 8000);
            Tones.Pcm pcm = Tones.readWav(rec);
            int rate = pcm.sampleRate();
            short[] s = pcm.samples();
            short[] last = Arrays.copyOfRange(s, Math.max(0, s.length - 2 * rate), s.length);
            assertThat(Tones.relativePower(last, rate, APP_TONE)).as("the phone hears the app at the end").isGreaterThan(0.3);
            assertThat(Tones.relativePower(last, rate, GUEST_TONE)).as("and no longer the last guest").isLessThan(0.1);
            assertThat(stay.leave().sent()).as("the app sent all along").isGreaterThan(500);
            GatewayUnderTest.awaitNoActiveCalls(srproxy);
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.rtc().channels().size() == 0);
        } finally {
            wsPool.shutdownNow();
        }
    }

    /** A guest app joins (the mixer starts: three members) and leaves (back to 1:1). */
    private static void cycle(HttpClient http, Srproxy srproxy, LoadPeers peers, Channel channel, int round) throws Exception {
        RtcApp guest = RtcApp.join(http, srproxy.webPort(), peers, "guest" + round);
        await("round " + round + " joined").atMost(Duration.ofSeconds(15)).until(() -> guest.connected() && channel.uids().contains("guest" + round));
        await("round " + round + " mixing").atMost(Duration.ofSeconds(10)).until(channel::mixing);
        assertThat(srproxy.rtc().channels().workers().mixerClock().liveMixers()).isEqualTo(1);
        guest.leave();
        await("round " + round + " left").atMost(Duration.ofSeconds(10)).until(() -> !channel.uids().contains("guest" + round)
                && !channel.mixing());
    }

    private static java.util.List<String> inRoom(Srproxy srproxy) {
        return srproxy.rtc().channels().channel(ROOM).map(Channel::uids).orElse(java.util.List.of());
    }

    /**
     * Live threads by name with digits dropped (pool-3-thread-7 -> pool--thread-), but for the
     * JDK's and Jetty's elastic pools and the DTLS handshake pool (bounded, checked apart).
     */
    private static Map<String, Long> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName().replaceAll("\\d+", ""))
                .filter(n -> !n.startsWith("qtp") && !n.startsWith("rtc-dtls-") && !n.startsWith("ForkJoinPool") && !n.startsWith("HttpClient")
                        && !n.startsWith("awaitility") && !n.startsWith("Attach") && !n.contains("Common-Cleaner"))
                .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting()));
    }

    /** Names with more threads now than before, and how many more. */
    private static Map<String, Long> grown(Map<String, Long> before, Map<String, Long> now) {
        Map<String, Long> more = new TreeMap<>();
        now.forEach((name, n) -> {
            long was = before.getOrDefault(name, 0L);
            if (n > was) {
                more.put(name, n - was);
            }
        });
        return more;
    }

    /**
     * Peers sending a tone of {@code hz} in Opus, as browsers do: an offer without Opus gets its
     * audio m-line rejected while the channel has no G.711 member to pass through to.
     */
    private static LoadPeers opusPeers(double hz) throws java.io.IOException {
        byte[][] frames = new byte[50][OpusEncoder.MAX_PACKET];
        int[] lengths = new int[50];
        short[] tone = Tones.sine(hz, 48000, 1, 0.3);
        try (OpusEncoder enc = new OpusEncoder(48000, 5)) {
            for (int i = 0; i < 50; i++) {
                lengths[i] = enc.encode(tone, i * 960, 960, frames[i], 0);
            }
        }
        return new LoadPeers(frames, lengths, 1);
    }

    /** An app in RTC channel {@link #ROOM}: a /rtc WebSocket and a DTLS-SRTP peer publishing audio. */
    private static final class RtcApp {
        private final LoadPeers.Peer peer;
        private final CompletableFuture<Void> media = new CompletableFuture<>();
        private volatile WebSocket ws;
        private final java.util.List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();

        private RtcApp(LoadPeers.Peer peer) {
            this.peer = peer;
        }

        static RtcApp join(HttpClient http, int webPort, LoadPeers peers, String uid) throws Exception {
            RtcApp app = new RtcApp(peers.newPeer());
            StringBuilder partial = new StringBuilder();
            app.ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + webPort + "/rtc"), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        app.onFrame(partial.toString());
                        partial.setLength(0);
                    }
                    w.request(1);
                    return null;
                }
            }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            app.send(Map.of("type", "join", "appId", "srproxy", "channel", ROOM, "uid", uid, "token", "",
                    "multistream", true, "sdp", app.peer.offer()));
            return app;
        }

        private void onFrame(String text) {
            try {
                JsonNode m = JSON.readTree(text);
                if (m.path("type").asText().equals("joined")) {
                    send(Map.of("type", "publish", "mediaType", "audio"));
                    peer.connect(m.path("sdp").asText()).whenComplete((ok, e) -> {
                        if (e != null) {
                            media.completeExceptionally(e);
                        } else {
                            media.complete(null);
                        }
                    });
                } else if (m.path("type").asText().equals("answer") || m.path("request").asText().equals("offer")) {
                    answers.add(text);
                } else if (m.path("type").asText().equals("error")) {
                    media.completeExceptionally(new IllegalStateException(text));
                }
            } catch (Exception e) {
                media.completeExceptionally(e);
            }
        }

        private synchronized void send(Map<String, Object> message) {
            try {
                ws.sendText(JSON.writeValueAsString(message), true).join();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Renegotiates: one more recvonly audio m-line (mid 2) carrying {@code uid}'s audio. */
        void subscribe(String uid) {
            String offer = peer.offer().replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2");
            int audio = offer.indexOf("m=audio ");
            String line = offer.substring(audio, offer.indexOf("m=video "));
            offer += line.replace("a=mid:0", "a=mid:2").replace("a=sendrecv", "a=recvonly");
            answers.clear();
            send(Map.of("type", "offer", "sdp", offer,
                    "subscriptions", java.util.List.of(Map.of("mid", "2", "uid", uid, "mediaType", "audio"))));
            await("answer").atMost(Duration.ofSeconds(10)).until(() -> !answers.isEmpty());
            assertThat(answers.get(0)).as("the re-offer's answer").contains("\"type\":\"answer\"");
            try {
                for (JsonNode sub : JSON.readTree(answers.get(0)).path("subscriptions")) {
                    if (sub.path("uid").asText().equals(uid) && sub.has("ssrc")) {
                        peer.expect(sub.path("ssrc").asLong(), uid); // the peer counts that stream apart
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Packets received so far on the stream of {@code uid} subscribed to, or -1 if none is expected. */
        long receivedFrom(String uid) throws Exception {
            return peer.streamStats().get(5, java.util.concurrent.TimeUnit.SECONDS).stream()
                    .filter(s -> s.label().equals(uid)).mapToLong(LoadPeers.StreamStats::received).sum();
        }

        boolean connected() {
            if (media.isCompletedExceptionally()) {
                media.join(); // throws the reason
            }
            return media.isDone();
        }

        /** Leaves (the /rtc "leave", then the socket closes) and ends the peer: its statistics. */
        LoadPeers.Stats leave() throws Exception {
            send(Map.of("type", "leave"));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, java.util.concurrent.TimeUnit.SECONDS);
            return peer.close().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
