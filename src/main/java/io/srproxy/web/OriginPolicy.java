package io.srproxy.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.srproxy.log.LogSafe;
import io.srproxy.log.ThrottledLog;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [rtm] allowed_origins}: which web origins may use this srproxy from their own pages. The
 * SDK files get CORS headers for them (classic script tags need none, ES module imports and fetches
 * do), and a WebSocket upgrade (/rtm, /rtc) from a page of another origin is refused with 403, a
 * warning in the log and an {@value #REFUSED_HEADER} header naming the origin and the key. Requests without an Origin (not from a browser page) and pages
 * of srproxy's own origin are always let through.
 */
public final class OriginPolicy implements WebModule {

    private static final Logger log = LoggerFactory.getLogger(OriginPolicy.class);
    /** Paths a page of another origin may read (the SDKs in both forms). */
    private static final List<String> SHARED = List.of("/sdk/*", "/srproxy-rtc.js", "/srproxy-rtm.js");

    /** Response header of a refused WebSocket upgrade saying why (browsers show only the 403). */
    public static final String REFUSED_HEADER = "X-Srproxy-Refused";

    private final boolean any;
    private final Set<String> allowed;
    private final ThrottledLog refusals = new ThrottledLog(log);

    /** {@code origins}: "*" alone for any, else lower-case {@code scheme://host[:port]} entries. */
    public OriginPolicy(List<String> origins) {
        this.any = origins.contains("*");
        this.allowed = Set.copyOf(origins);
    }

    /** True when a page of {@code origin} (null: no Origin header) may talk to the server reached as {@code host}. */
    public boolean allows(String origin, String host) {
        if (any || origin == null || origin.isEmpty()) {
            return true;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        return allowed.contains(o) || sameOrigin(o, host);
    }

    /** The page came from this server (the Host it addressed), whatever the scheme. */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI u = URI.create(origin);
            String authority = u.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        for (String path : SHARED) {
            routes.before(path, this::corsHeaders);
        }
    }

    /**
     * WebSocket upgrades are checked by a servlet filter rather than Javalin's wsBeforeUpgrade, so
     * that the check also covers sockets Jetty serves directly ({@link DirectWebSocket}: /rtm).
     */
    @Override
    public void addServlets(ServletContextHandler context) {
        context.addFilter(new FilterHolder((Filter) this::filterUpgrade), "/*", EnumSet.of(DispatcherType.REQUEST));
    }

    private void filterUpgrade(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            String origin = req.getHeader("Origin");
            if (!allows(origin, req.getHeader("Host"))) {
                refusals.warn("refused a WebSocket to {} from a page of {}: not in [rtm] allowed_origins",
                        LogSafe.of(req.getRequestURI()), LogSafe.of(origin));
                String why = "origin " + LogSafe.of(origin) + " is not allowed: add it to [rtm] allowed_origins";
                HttpServletResponse resp = (HttpServletResponse) response;
                resp.setHeader(REFUSED_HEADER, why.replaceAll("[^\\x20-\\x7e]", "?")); // browsers show no body of a refused upgrade
                resp.sendError(HttpServletResponse.SC_FORBIDDEN, why);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private void corsHeaders(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        if (any) {
            ctx.header("Access-Control-Allow-Origin", "*");
        } else if (allows(origin, ctx.header("Host"))) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        }
    }
}
