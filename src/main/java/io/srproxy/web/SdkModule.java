package io.srproxy.web;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The SDKs as classic scripts for pages written for anyRTC's script tags: {@code /sdk/ArRTC.js}
 * defines {@code ArRTC} (from srproxy-rtc.js) and {@code /sdk/ArRTM.js} defines {@code ArRTM} (from
 * srproxy-rtm.js), built once at startup from the ES modules by {@link ClassicScript}.
 */
public final class SdkModule implements WebModule {

    public static final String RTC_PATH = "/sdk/ArRTC.js";
    public static final String RTM_PATH = "/sdk/ArRTM.js";

    private final String rtc = ClassicScript.build(resource("srproxy-rtc.js"), "srproxy-rtc.js", "ArRTC");
    private final String rtm = ClassicScript.build(resource("srproxy-rtm.js"), "srproxy-rtm.js", "ArRTM");

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get(RTC_PATH, ctx -> ctx.contentType("text/javascript; charset=utf-8").header("Cache-Control", "no-cache").result(rtc));
        routes.get(RTM_PATH, ctx -> ctx.contentType("text/javascript; charset=utf-8").header("Cache-Control", "no-cache").result(rtm));
    }

    static String resource(String name) {
        try (InputStream in = SdkModule.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web/" + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
