package io.srproxy;

import io.srproxy.config.RtxConfig;
import io.srproxy.rtc.RtcService;
import io.srproxy.rtc.ws.RtcWebModule;
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
    private RtcService rtc;

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
        rtc = RtcService.start(config);
        started.add(rtc);
        RtcWebModule rtcWeb = new RtcWebModule(rtc, config.global().appId());
        started.add(rtcWeb);
        modules.add(rtcWeb);
        health.register(() -> new HealthModule.Check("rtc", true, "udp port " + rtc.port()
                + ", " + rtc.mux().sessions() + " WebRTC sessions, " + rtc.channels().size() + " channels, "
                + rtc.mux().counters().snapshot()));
        web = new WebServer(config.rtm().ip(), config.rtm().port(), modules).start();
        started.add(web);
        log.info("srproxy up: signalling and web client on http://{}:{}/", config.rtm().ip(), web.port());
    }

    public RtxConfig config() {
        return config;
    }

    /** The RTC media service: its channel registry takes plain-RTP members for SIP legs. */
    public RtcService rtc() {
        return rtc;
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
