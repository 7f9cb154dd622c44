package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/**
 * Javalin 7.2.3 sets up its WebSocket servlet configuration lazily on the first upgrade, without
 * thread safety, so the first concurrent upgrades after a start could fail with an NPE (seen with
 * 32 app logins at once on a fresh srproxy). After {@link WebServer#start()} that set-up must
 * already be done, by our own single warm-up request. A white-box check: the race itself is too
 * narrow to hit on demand.
 */
class WebSocketWarmUpTest {

    @Test
    void theWebSocketServletIsSetUpBeforeAnyAppConnects() throws Exception {
        WebModule echo = routes -> routes.ws("/echo", ws -> ws.onMessage(ctx -> ctx.send(ctx.message())));
        try (WebServer web = new WebServer("127.0.0.1", 0, List.of(echo)).start()) {
            assertThat(servletConfigLazy(web).isInitialized()).isTrue();
        }
    }

    private static kotlin.Lazy<?> servletConfigLazy(WebServer web) throws Exception {
        ServletContextHandler context = web.javalin().jettyServer().server().getDescendant(ServletContextHandler.class);
        for (ServletHolder holder : context.getServletHandler().getServlets()) {
            Object servlet = holder.getServlet();
            if (servlet.getClass().getName().equals("io.javalin.jetty.JavalinJettyServlet")) {
                Field f = Arrays.stream(servlet.getClass().getDeclaredFields())
                        .filter(x -> x.getName().startsWith("servletContextConfig")).findFirst().orElseThrow();
                f.setAccessible(true);
                return (kotlin.Lazy<?>) f.get(servlet);
            }
        }
        throw new AssertionError("no JavalinJettyServlet in " + context);
    }
}
