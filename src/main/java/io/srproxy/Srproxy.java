package io.srproxy;

import io.srproxy.config.RtxConfig;
import io.srproxy.sip.SipAgent;
import io.srproxy.web.HealthModule;
import io.srproxy.web.WebModule;
import io.srproxy.web.WebServer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every service from the config, starts them, stops them in reverse. */
public final class Srproxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Srproxy.class);

    private final RtxConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private WebServer web;
    private SipAgent sip;

    private Srproxy(RtxConfig config) {
        this.config = config;
    }

    public static Srproxy start(RtxConfig config) {
        Srproxy s = new Srproxy(config);
        try {
            s.startAll();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startAll() {
        List<WebModule> modules = new ArrayList<>();
        modules.add(new HealthModule());
        web = new WebServer(config.rtm().ip(), config.rtm().port(), modules).start();
        started.add(web);
        log.info("srproxy up: signalling and web client on http://{}:{}/", config.rtm().ip(), web.port());
        startSip();
    }

    /** The SIP agent, when a SIP server is set and a direction to SIP is on; the gateway adds the call handling. */
    private void startSip() {
        if (config.global().sipServer().isEmpty() || !(config.proxy().on() || config.rtm2sip().on())) {
            return;
        }
        sip = SipAgent.start(config, "0.0.0.0");
        started.add(sip);
        if (config.proxy().on()) {
            sip.registerProxyAccount((r, state, detail) -> log.info("SIP registration of {}: {} ({})", r.user(), state, detail));
        }
    }

    public RtxConfig config() {
        return config;
    }

    /** The SIP agent, or null when SIP is not configured. */
    public SipAgent sip() {
        return sip;
    }

    /** The bound HTTP/WebSocket port. */
    public int webPort() {
        return web.port();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}
