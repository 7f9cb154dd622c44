package io.srproxy.rtm.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.srproxy.auth.LoginPolicy;
import io.srproxy.rtm.RecordingListener;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmService;
import io.srproxy.rtm.RtmTimeouts;
import io.srproxy.testsupport.ManualTimers;
import io.srproxy.web.WebServer;
import io.srproxy.rtm.RtmLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The /rtm endpoint against bad input and vanishing clients: every bad frame gets an error reply
 * naming the problem, the socket stays open where that makes sense, and other sessions go on.
 */
class RtmWebSocketTest {

    private static final String APP = "ws-app";
    private ManualTimers timers;
    private RtmService service;
    private WebServer web;
    private URI uri;
    private RtmWebSocket socket;
    private RtmClient alice;
    private RtmClient bob;
    private RecordingListener bobSeen;

    @BeforeEach
    void start() throws Exception {
        timers = new ManualTimers();
        service = new RtmService(APP, LoginPolicy.appIdOnly(APP), timers, RtmTimeouts.DEFAULTS);
        // the slow-reader test floods on purpose: no request-rate limit here (LimitsTest covers it)
        socket = new RtmWebSocket(service, new RtmWebSocket.Limits(10_000, 1_000_000));
        web = new WebServer("127.0.0.1", 0, List.of(socket)).start();
        uri = URI.create("ws://127.0.0.1:" + web.port() + "/rtm");
        alice = WsRtmClient.create(uri, APP, new RecordingListener());
        bobSeen = new RecordingListener();
        bob = WsRtmClient.create(uri, APP, bobSeen);
        alice.login("alice", null).get(10, TimeUnit.SECONDS);
        bob.login("bob", null).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
        web.close();
        service.close();
    }

    /** The well-behaved sessions still work. */
    private void othersGoOn(String marker) throws Exception {
        alice.sendMessageToPeer("bob", marker).get(10, TimeUnit.SECONDS);
        bobSeen.awaitEvent("message alice: " + marker);
    }

    private static void assertError(JsonNode reply, String error, String messagePart) {
        assertThat(reply.path("ok").asBoolean(true)).as(reply.toString()).isFalse();
        assertThat(reply.path("error").asText()).as(reply.toString()).isEqualTo(error);
        assertThat(reply.path("message").asText()).as(reply.toString()).contains(messagePart);
    }

    @Test
    void framesThatAreNotRequestsGetErrorsAndTheSocketStaysOpen() throws Exception {
        try (RawWs raw = new RawWs(uri)) {
            assertError(raw.call("hello"), "BAD_JSON", "not JSON");
            assertError(raw.call("{\"cmd\":"), "BAD_JSON", "not JSON");
            assertError(raw.call("[1,2]"), "BAD_JSON", "one JSON object");
            assertError(raw.call("{\"id\":1}"), "MISSING_FIELD", "'cmd'");
            JsonNode unknown = raw.call("{\"id\":2,\"cmd\":\"fly\"}");
            assertError(unknown, "UNKNOWN_COMMAND", "unknown cmd 'fly'");
            assertThat(unknown.path("id").asInt()).isEqualTo(2);
            assertError(raw.call("{\"id\":3,\"cmd\":\"login\",\"appId\":\"ws-app\"}"), "MISSING_FIELD", "login needs field 'uid'");
            assertError(raw.call("{\"id\":4,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":5}"), "INVALID_ARGUMENT", "'uid' must be a JSON string");
            assertError(raw.call("{\"id\":5,\"cmd\":\"queryPeersOnlineStatus\",\"peerIds\":\"bob\"}"), "INVALID_ARGUMENT", "'peerIds' must be a JSON array");
            assertError(raw.call("{\"id\":\"x\",\"cmd\":\"sendMessageToPeer\",\"peerId\":\"bob\",\"text\":\"hi\"}"),
                    "NOT_LOGGED_IN", "log in first");
            raw.ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(10, TimeUnit.SECONDS);
            assertError(raw.next(), "BAD_JSON", "binary frames");
            assertError(raw.call("{\"id\":6,\"cmd\":\"login\",\"appId\":\"other\",\"uid\":\"carol\"}"), "INVALID_APP_ID", "other");
            assertError(raw.call("{\"id\":7,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"car ol\"}"), "INVALID_ARGUMENT", "blank");
            JsonNode ok = raw.call("{\"id\":8,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"carol\"}");
            assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
            assertThat(ok.path("id").asInt()).isEqualTo(8);
            assertThat(raw.closeCode).isEqualTo(-1);
        }
        othersGoOn("after garbage");
    }

    @Test
    void oversizedFieldsAreNamed() throws Exception {
        try (RawWs raw = new RawWs(uri)) {
            raw.call("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"carol\"}");
            String content = "c".repeat(9 * 1024);
            assertError(raw.call("{\"id\":2,\"cmd\":\"invite\",\"invitationId\":\"i1\",\"calleeId\":\"bob\",\"content\":\"" + content + "\"}"),
                    "INVALID_ARGUMENT", "content is 9216 bytes; at most 8192 bytes");
            assertError(raw.call("{\"id\":3,\"cmd\":\"invite\",\"invitationId\":\"i2\",\"calleeId\":\"bob\",\"channelId\":\"" + "c".repeat(65) + "\"}"),
                    "INVALID_ARGUMENT", "channelId is 65 bytes; at most 64 bytes");
            assertError(raw.call("{\"id\":4,\"cmd\":\"sendMessageToPeer\",\"peerId\":\"bob\",\"text\":\"" + "t".repeat(33 * 1024) + "\"}"),
                    "INVALID_ARGUMENT", "text is 33792 bytes; at most 32768 bytes");
            assertError(raw.call("{\"id\":5,\"cmd\":\"invite\",\"invitationId\":\"i3\",\"calleeId\":\"" + "u".repeat(65) + "\"}"),
                    "INVALID_ARGUMENT", "calleeId is 65 bytes");
            assertError(raw.call("{\"id\":6,\"cmd\":\"acceptInvitation\",\"invitationId\":\"nope\"}"), "ALREADY_END", "nope");
            assertError(raw.call("{\"id\":7,\"cmd\":\"sendMessageToPeer\",\"peerId\":\"nobody\",\"text\":\"hi\"}"), "PEER_OFFLINE", "nobody");
            JsonNode ok = raw.call("{\"id\":8,\"cmd\":\"invite\",\"invitationId\":\"i4\",\"calleeId\":\"bob\",\"content\":\"" + "c".repeat(8192) + "\"}");
            assertThat(ok.path("ok").asBoolean()).as(ok.toString()).isTrue();
            bobSeen.awaitRemote(1);
        }
        othersGoOn("after oversized fields");
    }

    @Test
    void channelFramesAreAsDocumented() throws Exception {
        try (RawWs carol = new RawWs(uri); RawWs dave = new RawWs(uri)) {
            carol.call("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"carol\"}");
            dave.call("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"dave\"}");
            assertThat(carol.call("{\"id\":2,\"cmd\":\"joinChannel\",\"channelId\":\"room\"}")).hasToString("{\"id\":2,\"ok\":true}");
            assertThat(carol.next()).hasToString("{\"event\":\"memberCountUpdated\",\"channelId\":\"room\",\"memberCount\":1}");
            assertThat(dave.call("{\"id\":2,\"cmd\":\"joinChannel\",\"channelId\":\"room\"}")).hasToString("{\"id\":2,\"ok\":true}");
            assertThat(dave.next()).hasToString("{\"event\":\"memberCountUpdated\",\"channelId\":\"room\",\"memberCount\":2}");
            assertThat(carol.next()).hasToString("{\"event\":\"memberJoined\",\"channelId\":\"room\",\"memberId\":\"dave\"}");
            assertThat(carol.next()).hasToString("{\"event\":\"memberCountUpdated\",\"channelId\":\"room\",\"memberCount\":2}");
            assertThat(carol.call("{\"id\":3,\"cmd\":\"getChannelMembers\",\"channelId\":\"room\"}"))
                    .hasToString("{\"id\":3,\"ok\":true,\"members\":[\"carol\",\"dave\"]}");
            assertThat(carol.call("{\"id\":4,\"cmd\":\"sendChannelMessage\",\"channelId\":\"room\",\"text\":\"hi\"}"))
                    .hasToString("{\"id\":4,\"ok\":true}");
            assertThat(dave.next()).hasToString("{\"event\":\"channelMessage\",\"channelId\":\"room\",\"memberId\":\"carol\",\"text\":\"hi\"}");
            assertError(carol.call("{\"id\":5,\"cmd\":\"joinChannel\"}"), "MISSING_FIELD", "channelId is missing");
            assertError(carol.call("{\"id\":6,\"cmd\":\"sendChannelMessage\",\"channelId\":\"room\"}"), "MISSING_FIELD",
                    "sendChannelMessage needs field 'text'");
            assertError(carol.call("{\"id\":7,\"cmd\":\"joinChannel\",\"channelId\":\"room\"}"), "ALREADY_JOINED",
                    "'carol' is already in channel 'room'");
            JsonNode notIn = carol.call("{\"id\":8,\"cmd\":\"leaveChannel\",\"channelId\":\"lobby\"}");
            assertThat(notIn).hasToString("{\"id\":8,\"cmd\":\"leaveChannel\",\"ok\":false,\"error\":\"NOT_IN_CHANNEL\","
                    + "\"message\":\"'carol' has not joined channel 'lobby'\"}");
            dave.ws.abort();
            assertThat(carol.next()).hasToString("{\"event\":\"memberLeft\",\"channelId\":\"room\",\"memberId\":\"dave\"}");
            assertThat(carol.next()).hasToString("{\"event\":\"memberCountUpdated\",\"channelId\":\"room\",\"memberCount\":1}");
        }
        othersGoOn("after channels");
    }

    @Test
    void aTenMegabyteFrameClosesOnlyThatSocketWith1009() throws Exception {
        try (RawWs raw = new RawWs(uri)) {
            raw.call("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"flooder\"}");
            String huge = "{\"id\":2,\"cmd\":\"sendMessageToPeer\",\"peerId\":\"bob\",\"text\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";
            raw.ws.sendText(huge, true);
            await().atMost(Duration.ofSeconds(20)).until(() -> socket.closes(1009) == 1);
            // the client reads the 1009 close frame, unless the reset of the connection (the server
            // stops reading the rest of the 10 MB) overtakes it: then it sees the connection fail
            await().atMost(Duration.ofSeconds(20)).until(() -> raw.closeCode != -1 || raw.error != null);
            if (raw.error == null) {
                assertThat(raw.closeCode).isEqualTo(1009);
            }
        }
        assertThat(socket.closes(1009)).isEqualTo(1);
        await().untilAsserted(() -> assertThat(alice.queryPeersOnlineStatus(List.of("flooder")).get(10, TimeUnit.SECONDS))
                .containsEntry("flooder", false));
        othersGoOn("after the flood");
        assertThat(bobSeen.events).noneMatch(e -> e.startsWith("message flooder"));
    }

    @Test
    void aClientThatStopsReadingIsCutOffAndNobodyElseNotices() throws Exception {
        CompletableFuture<String> firstFrame = new CompletableFuture<>();
        WebSocket slow = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                firstFrame.complete(data.toString()); // and never asks for more: the socket stops being read
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        slow.sendText("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"slow\"}", true).get(10, TimeUnit.SECONDS);
        assertThat(firstFrame.get(10, TimeUnit.SECONDS)).contains("\"ok\":true");
        String chunk = "s".repeat(RtmLimits.MAX_MESSAGE_BYTES);
        int sent = 0;
        while (socket.slowClientsDropped() == 0 && sent < 5000) {
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(alice.sendMessageToPeer("slow", chunk).exceptionally(e -> null));
            }
            CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            sent += 50;
        }
        assertThat(socket.slowClientsDropped()).as("after %d messages of 32 KB", sent).isEqualTo(1);
        await().untilAsserted(() -> assertThat(alice.queryPeersOnlineStatus(List.of("slow")).get(10, TimeUnit.SECONDS))
                .containsEntry("slow", false));
        othersGoOn("after the slow reader");
        slow.abort();
    }

    @Test
    void anUnreachableServerFailsTheLoginAsSuch() throws Exception {
        int closedPort = io.srproxy.testsupport.FreePorts.tcpAndUdp();
        RecordingListener seen = new RecordingListener();
        RtmClient lost = WsRtmClient.create(URI.create("ws://127.0.0.1:" + closedPort + "/rtm"), APP, seen);
        try {
            lost.login("x", null).get(20, TimeUnit.SECONDS);
            throw new AssertionError("login to a closed port succeeded");
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(((io.srproxy.rtm.RtmException) e.getCause()).error()).isEqualTo(io.srproxy.rtm.RtmError.UNREACHABLE);
            assertThat(e.getCause()).hasMessageContaining("cannot reach ws://127.0.0.1:" + closedPort);
        }
        seen.awaitEvent("state DISCONNECTED LOGIN_FAILURE");
        lost.close();
    }

    /** The old socket's close may land after the next login's open: it must not end the new session (found by RtmClusterHarness). */
    @Test
    void aLoginRightAfterALogoutOnOneClientStaysLoggedIn() throws Exception {
        RtmClient again = WsRtmClient.create(uri, APP, new RecordingListener());
        for (int i = 0; i < 30; i++) {
            again.login("again", null).get(10, TimeUnit.SECONDS);
            again.sendMessageToPeer("bob", "round " + i).get(10, TimeUnit.SECONDS);
            again.logout().get(10, TimeUnit.SECONDS);
        }
        again.close();
    }

    @Test
    void aVanishedSocketIsLoggedOutAndItsInvitationEnds() throws Exception {
        RecordingListener aliceSeen = new RecordingListener();
        RtmClient watcher = WsRtmClient.create(uri, APP, aliceSeen);
        watcher.login("watcher", null).get(10, TimeUnit.SECONDS);
        watcher.subscribePeersOnlineStatus(List.of("ghost")).get(10, TimeUnit.SECONDS);
        RawWs ghost = new RawWs(uri);
        ghost.call("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"ghost\"}");
        aliceSeen.awaitEvent("presence ghost=ONLINE");
        watcher.createLocalInvitation("ghost").send();
        ghost.nextEvent("remoteInvitationReceived");
        ghost.ws.abort();
        aliceSeen.awaitEvent("presence ghost=OFFLINE");
        aliceSeen.awaitEvent("local failure PEER_OFFLINE");
        watcher.close();
    }

    @Test
    void aSilentSocketIsDroppedWithin30sWithItsReason() throws Exception {
        RecordingListener aliceSeen = new RecordingListener();
        RtmClient watcher = WsRtmClient.create(uri, APP, aliceSeen);
        watcher.login("watcher", null).get(10, TimeUnit.SECONDS);
        watcher.subscribePeersOnlineStatus(List.of("quiet")).get(10, TimeUnit.SECONDS);
        try (RawWs quiet = new RawWs(uri)) {
            quiet.call("{\"id\":1,\"cmd\":\"login\",\"appId\":\"ws-app\",\"uid\":\"quiet\"}");
            aliceSeen.awaitEvent("presence quiet=ONLINE");
            // the SDK clients ping (on the real clock); the raw socket says nothing while the manual clock runs on
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                alice.queryPeersOnlineStatus(List.of("x")).get(10, TimeUnit.SECONDS);
                bob.queryPeersOnlineStatus(List.of("x")).get(10, TimeUnit.SECONDS);
                watcher.queryPeersOnlineStatus(List.of("x")).get(10, TimeUnit.SECONDS);
                timers.advance(Duration.ofSeconds(5));
                assertThat(quiet.closeCode).isEqualTo(RtmWebSocket.CLOSE_KEEPALIVE_TIMEOUT);
            });
            assertThat(quiet.nextEvent("sessionEnded").path("reason").asText()).isEqualTo("INTERRUPTED");
            aliceSeen.awaitEvent("presence quiet=OFFLINE");
        }
        othersGoOn("after the silent one");
        watcher.close();
    }
}
