package io.srproxy.rtm.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.srproxy.rtm.LocalInvitation;
import io.srproxy.rtm.LocalInvitationState;
import io.srproxy.rtm.RecordingListener;
import io.srproxy.rtm.RtmClient;
import io.srproxy.rtm.RtmService;
import io.srproxy.rtm.SystemTimers;
import io.srproxy.testsupport.Chromium;
import io.srproxy.web.WebServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The browser SDK (/srproxy-rtm.js) in Debian's headless Chromium against a running /rtm endpoint:
 * SDK clients in one page log in, message, query and subscribe to presence, walk an accepted, a
 * refused and a cancelled invitation, and see the failures of a replaced session and of a callee
 * that logs out; then a Java client calls the browser. Two pages share an RTM channel.
 */
class RtmJsSdkTest {

    private static final String APP = "js-app";
    private SystemTimers timers;
    private RtmService service;
    private WebServer web;
    private ChromeDriver browser;

    @BeforeEach
    void start() {
        timers = new SystemTimers();
        service = RtmService.create(APP, timers);
        web = new WebServer("127.0.0.1", 0, List.of(new RtmWebSocket(service))).start();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        web.close();
        service.close();
        timers.close();
    }

    @Test
    void theSdkIsServedAsAnEsModule() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + web.port() + "/srproxy-rtm.js")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).contains("javascript");
        assertThat(r.body()).contains("export function createInstance(appId");
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoBrowserClientsAndAJavaClientTalkThroughTheSdk() throws Exception {
        browser = Chromium.start(null);
        browser.get("http://127.0.0.1:" + web.port() + "/srproxy-rtm.js");
        String script;
        try (InputStream in = getClass().getResourceAsStream("/rtm/sdk-scenario.js")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String json = (String) browser.executeAsyncScript(script, APP);
        List<String> log = new ObjectMapper().readValue(json, new TypeReference<List<String>>() {});
        assertThat(log).as(json).noneMatch(l -> l.startsWith("ERROR"));
        assertThat(log).containsSubsequence(
                "wrong appid INVALID_APP_ID",
                "a state CONNECTING LOGIN",
                "a state CONNECTED LOGIN_SUCCESS",
                "b state CONNECTED LOGIN_SUCCESS",
                "a presence web-b=ONLINE",
                "b message web-a: hello from a",
                "query {\"web-b\":true,\"nobody\":false}",
                "offline PEER_OFFLINE");
        assertThat(log).contains("send {\"hasPeerReceived\":true}");
        assertThat(log).containsSubsequence(
                "send1 OK SENT_TO_REMOTE",
                "b received from web-a {\"Mode\":1} 123456789 INVITATION_RECEIVED",
                "accept OK ACCEPT_SENT_TO_LOCAL",
                "a LocalInvitationReceivedByPeer RECEIVED_BY_REMOTE",
                "a LocalInvitationAccepted {\"Mode\":1,\"Conference\":false} ACCEPTED_BY_REMOTE",
                "accepted response {\"Mode\":1,\"Conference\":false} ACCEPTED_BY_REMOTE {\"Mode\":1,\"Conference\":false}",
                "b RemoteInvitationAccepted ACCEPTED",
                "callee ACCEPTED",
                "send1 again ALREADY_END cancel1 ALREADY_ACCEPT");
        assertThat(log).containsSubsequence("refuse OK", "a LocalInvitationRefused busy REFUSED_BY_REMOTE",
                "refused busy REFUSED_BY_REMOTE");
        assertThat(log).containsSubsequence("refuse OK", "b RemoteInvitationRefused REFUSED");
        // the caller's and the callee's events come over two sockets: either may be first
        assertThat(log).containsSubsequence("cancel before send NOT_STARTED", "cancel3 OK",
                "a LocalInvitationCanceled CANCELED", "canceled CANCELED CANCELED accept-after ALREADY_END");
        assertThat(log).containsSubsequence("cancel3 OK", "b RemoteInvitationCanceled CANCELED",
                "canceled CANCELED CANCELED accept-after ALREADY_END");
        assertThat(log).contains("big INVALID_ARGUMENT", "long channel INVALID_ARGUMENT");
        assertThat(log).containsSubsequence("long channel INVALID_ARGUMENT", "c state CONNECTED LOGIN_SUCCESS",
                "c inv4 failure NOT_LOGGEDIN FAILURE", "c state ABORTED REMOTE_LOGIN");
        assertThat(log).containsSubsequence("c state CONNECTED LOGIN_SUCCESS", "b RemoteInvitationFailure PEER_OFFLINE FAILURE",
                "replaced ABORTED FAILURE");
        assertThat(log).containsSubsequence("replaced ABORTED FAILURE", "inv5 PEER_OFFLINE FAILURE");
        assertThat(log).containsSubsequence("long channel INVALID_ARGUMENT", "a presence web-b=OFFLINE",
                "b after logout DISCONNECTED");
        assertThat(log).containsSubsequence("long channel INVALID_ARGUMENT", "b state DISCONNECTED LOGOUT");

        // a Java WebSocket client and the browser understand each other
        RecordingListener javaSeen = new RecordingListener();
        try (RtmClient java = WsRtmClient.create(URI.create("ws://127.0.0.1:" + web.port() + "/rtm"), APP, javaSeen)) {
            java.login("java-c", null).get(10, TimeUnit.SECONDS);
            java.sendMessageToPeer("web-a", "hello from java").get(10, TimeUnit.SECONDS);
            LocalInvitation inv = java.createLocalInvitation("web-a").setContent("{\"Mode\":0}");
            inv.send();
            javaSeen.awaitEvent("local accepted from the browser");
            assertThat(inv.state()).isEqualTo(LocalInvitationState.ACCEPTED_BY_REMOTE);
            await().untilAsserted(() -> assertThat((List<Object>) browser.executeScript("return window.rtmLog"))
                    .contains("a message java-c: hello from java"));
        }
    }

    // ---- channels: two pages (tabs), one SDK client each

    private String openPage(String uid) throws Exception {
        browser.get("http://127.0.0.1:" + web.port() + "/srproxy-rtm.js");
        String script;
        try (InputStream in = getClass().getResourceAsStream("/rtm/channel-page.js")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String json = (String) browser.executeAsyncScript(script, APP, uid);
        assertThat(json).doesNotContain("ERROR");
        return browser.getWindowHandle();
    }

    /** Runs {@code body} (an async function body that may use {@code page}) in a page; its result as a string. */
    private String run(String page, String body) {
        browser.switchTo().window(page);
        return (String) browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "(async () => { " + body + " })().then((r) => done(String(r)), (e) => done('ERROR ' + e));");
    }

    @SuppressWarnings("unchecked")
    private List<String> log(String page) {
        browser.switchTo().window(page);
        return (List<String>) browser.executeScript("return window.page.log");
    }

    private void awaitLine(String page, String line) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log(page)).contains(line));
    }

    @Test
    void twoPagesTalkInAChannelAndSeeEachOtherComeAndGo() throws Exception {
        browser = Chromium.start(null);
        String a = openPage("web-ch-a");
        assertThat(log(a)).containsSubsequence("state CONNECTED LOGIN_SUCCESS", "count 1");
        browser.switchTo().newWindow(WindowType.TAB);
        String b = openPage("web-ch-b");
        awaitLine(a, "joined web-ch-b");
        awaitLine(a, "count 2");
        awaitLine(b, "count 2");
        assertThat(log(b)).noneMatch(l -> l.startsWith("joined"));
        assertThat(run(b, "return JSON.stringify(await page.channel.getMembers());")).isEqualTo("[\"web-ch-a\",\"web-ch-b\"]");

        assertThat(run(b, "await page.channel.sendMessage({ text: 'hello from b' }); return 'sent';")).isEqualTo("sent");
        awaitLine(a, "message web-ch-b: hello from b TEXT");
        assertThat(run(a, "await page.channel.sendMessage({ text: 'hello from a' }); return 'sent';")).isEqualTo("sent");
        awaitLine(b, "message web-ch-a: hello from a TEXT");
        assertThat(log(a)).noneMatch(l -> l.startsWith("message web-ch-a"));

        assertThat(run(b, "const other = page.client.createChannel('other'); return [await page.code(page.channel.join()),"
                + " await page.code(other.leave()), await page.code(other.sendMessage({ text: 'x' })),"
                + " await page.code(other.getMembers()), await page.code(page.channel.sendMessage({ text: 'x'.repeat(32769) })),"
                + " await page.code(page.client.createChannel('').join()),"
                + " await page.code(page.client.createChannel('group').join())].join(' ');"))
                .isEqualTo("ALREADY_JOINED NOT_IN_CHANNEL NOT_IN_CHANNEL NOT_IN_CHANNEL INVALID_ARGUMENT INVALID_ARGUMENT ALREADY_JOINED");

        // the links break (as on a restart): both SDKs log in again and join 'group' again
        assertThat(service.disconnectAll("test: links break").get(10, TimeUnit.SECONDS)).isEqualTo(2);
        for (String page : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> log(page).stream().filter("state CONNECTED LOGIN_SUCCESS"::equals).count() == 2);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> run(a, "return JSON.stringify((await page.channel.getMembers()).sort());")
                .equals("[\"web-ch-a\",\"web-ch-b\"]"));
        assertThat(run(b, "await page.channel.sendMessage({ text: 'after the break' }); return 'sent';")).isEqualTo("sent");
        awaitLine(a, "message web-ch-b: after the break TEXT");

        run(a, "page.log.length = 0; return 'cleared';");
        assertThat(run(b, "await page.channel.leave(); return 'left';")).isEqualTo("left");
        awaitLine(a, "left web-ch-b");
        awaitLine(a, "count 1");
        assertThat(run(a, "return JSON.stringify(await page.channel.getMembers());")).isEqualTo("[\"web-ch-a\"]");
        assertThat(run(b, "return page.code(page.channel.sendMessage({ text: 'x' }));")).isEqualTo("NOT_IN_CHANNEL");
    }
}
