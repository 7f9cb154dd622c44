package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;

/**
 * A socket served by {@link DirectWebSocket} lets go of its upgrade request once detached (the
 * memory that costs is in docs/benchmarks.md, "Idle users per GB"); its upgrade response stays
 * readable. If a Jetty upgrade fixes the live header view, the first assertion says so
 * and the work-around can go.
 */
class UpgradeResponseDetachTest {

    private static final String COMPLETED = "org.eclipse.jetty.websocket.server.internal.CompletedUpgradeResponse";

    /** The class of the header map the session's upgrade response holds. */
    private static String headerMapClass(Session session) throws Exception {
        Field headers = Class.forName(COMPLETED).getDeclaredField("_headers");
        headers.setAccessible(true);
        return headers.get(session.getUpgradeResponse()).getClass().getName();
    }

    /** Records the header map's class, detaches, and hands the session over. Public: Jetty calls it by method handle. */
    public static final class Probe implements Session.Listener.AutoDemanding {
        private final CompletableFuture<String> before;
        private final CompletableFuture<Session> opened;

        Probe(CompletableFuture<String> before, CompletableFuture<Session> opened) {
            this.before = before;
            this.opened = opened;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            try {
                before.complete(headerMapClass(session));
                UpgradeResponseDetach.detach(session);
                opened.complete(session);
            } catch (Exception e) {
                before.completeExceptionally(e);
                opened.completeExceptionally(e);
            }
        }
    }

    @Test
    void anOpenSocketDropsTheLiveViewOfItsUpgradeResponse() throws Exception {
        CompletableFuture<String> before = new CompletableFuture<>();
        CompletableFuture<Session> opened = new CompletableFuture<>();
        WebModule probe = new WebModule() {
            @Override
            public void addRoutes(io.javalin.config.RoutesConfig routes) {
            }

            @Override
            public void addServlets(org.eclipse.jetty.ee10.servlet.ServletContextHandler context) {
                DirectWebSocket.register(context, "/probe", (req, resp) -> new Probe(before, opened));
            }
        };
        WebServer web = new WebServer("127.0.0.1", 0, List.of(probe)).start();
        try {
            WebSocket client = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + web.port() + "/probe"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS);
            Session session = opened.get(10, TimeUnit.SECONDS);
            assertThat(UpgradeResponseDetach.available()).isTrue();
            assertThat(before.get()).as("Jetty still keeps a live view of the upgrade response").contains("Mutable");
            assertThat(headerMapClass(session)).doesNotContain("Mutable");
            assertThat(session.getUpgradeResponse().getHeaders()).isNotNull(); // still readable (srproxy reads none of it)
            client.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        } finally {
            web.close();
        }
    }
}
