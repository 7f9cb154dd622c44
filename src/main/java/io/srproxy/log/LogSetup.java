package io.srproxy.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.srproxy.config.RtxConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code [log]}: the original's levels 0 SENSITIVE .. 5 NONE mapped onto Logback, a
 * console appender in the foreground, and a size-rotated file when {@code file} is set.
 */
public final class LogSetup {

    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
    private static final int KEPT_FILES = 5;

    private static volatile boolean sensitive;

    private LogSetup() {}

    /** Level 0: message bodies, SDP and secrets may be logged. Nothing else may log them. */
    public static boolean sensitive() {
        return sensitive;
    }

    /** A secret as it may appear in logs: itself only at level 0. */
    public static String secret(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        return sensitive ? value : "****";
    }

    public static Level levelOf(int rtxLevel) {
        return switch (rtxLevel) {
            case 0 -> Level.TRACE;
            case 1 -> Level.DEBUG;
            case 2 -> Level.INFO;
            case 3 -> Level.WARN;
            case 4 -> Level.ERROR;
            default -> Level.OFF;
        };
    }

    public static void apply(RtxConfig.Log cfg, boolean console) {
        sensitive = cfg.level() == 0;
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.setLevel(levelOf(cfg.level()));
        // Third-party stacks are noisy at TRACE/DEBUG; keep them at INFO unless asked for level 0.
        Level own = levelOf(cfg.level());
        Level libraries = cfg.level() == 0 ? Level.DEBUG : own.isGreaterOrEqual(Level.INFO) ? own : Level.INFO;
        for (String lib : new String[] {"org.eclipse.jetty", "io.javalin", "gov.nist", "org.jitsi"}) {
            ctx.getLogger(lib).setLevel(libraries);
        }
        if (console) {
            ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> out = new ConsoleAppender<>();
            out.setContext(ctx);
            out.setName("console");
            out.setEncoder(encoder(ctx));
            out.start();
            root.addAppender(out);
        }
        cfg.file().ifPresent(file -> root.addAppender(rollingFile(ctx, file, cfg.maxFileSizeMb())));
    }

    private static RollingFileAppender<ch.qos.logback.classic.spi.ILoggingEvent> rollingFile(
            LoggerContext ctx, String file, int maxMb) {
        RollingFileAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(ctx);
        appender.setName("file");
        appender.setFile(file);
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(KEPT_FILES);
        rolling.start();
        SizeBasedTriggeringPolicy<ch.qos.logback.classic.spi.ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(FileSize.valueOf(maxMb + "MB"));
        // Logback's default is to look at the size once a minute; a busy gateway can overshoot by far.
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildBySeconds(1));
        trigger.start();
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder(ctx));
        appender.start();
        return appender;
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx) {
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(PATTERN);
        enc.start();
        return enc;
    }
}
