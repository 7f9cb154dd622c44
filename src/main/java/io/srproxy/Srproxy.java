package io.srproxy;

import io.srproxy.config.RtxConfig;
import io.srproxy.rtm.RtmService;
import io.srproxy.rtm.SystemTimers;
import io.srproxy.rtm.ws.RtmWebSocket;
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
    private RtmService rtm;

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
        HealthModule health = new HealthModule();
        modules.add(health);

        SystemTimers rtmTimers = new SystemTimers();
        started.add(rtmTimers);
        rtm = RtmService.create(config.global().appId(), config.reservedUids(), rtmTimers);
        started.add(rtm);
        RtmWebSocket rtmSocket = new RtmWebSocket(rtm);
        modules.add(rtmSocket);
        health.register(() -> new HealthModule.Check("rtm", rtm.isRunning(),
                rtm.onlineCount() + " users online, " + rtmSocket.openConnections() + " websockets"));

        web = new WebServer(config.rtm().ip(), config.rtm().port(), modules).start();
        started.add(web);
        log.info("srproxy up: signalling and web client on http://{}:{}/", config.rtm().ip(), web.port());
    }

    public RtxConfig config() {
        return config;
    }

    /** The RTM service: the gateway gets its in-process clients here ({@link RtmService#createClient}). */
    public RtmService rtm() {
        return rtm;
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
