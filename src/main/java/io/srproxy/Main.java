package io.srproxy;

import io.srproxy.config.ConfigException;
import io.srproxy.config.ConfigProblem;
import io.srproxy.config.EffectiveConfig;
import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxConfigLoader;
import io.srproxy.config.RtxFile;
import io.srproxy.log.LogSetup;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Command line: {@code srproxy [rtx.conf]} runs in the foreground; {@code srproxy check FILE} validates. */
@Command(name = "srproxy", mixinStandardHelpOptions = true, version = "srproxy 0.1.0",
        description = "WebRTC <-> SIP gateway with its own RTM and RTC services.",
        subcommands = {Main.Check.class, GenCertCommand.class, TokenCommand.class})
public final class Main implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "rtx.conf to run with; without it the embedded conf/rtx.conf is used")
    Path configFile;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Logger log = LoggerFactory.getLogger(Main.class);
        RtxConfigBinder.Binding binding;
        try {
            binding = configFile == null ? RtxConfigLoader.bindEmbedded() : RtxConfigLoader.bind(configFile);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (!binding.errors().isEmpty()) {
            binding.errors().forEach(p -> System.err.println("error: " + p));
            return 2;
        }
        RtxConfig config = binding.config();
        LogSetup.apply(config.log(), true);
        if (configFile == null) {
            log.info("no config file given: running on the embedded defaults ({})", RtxConfigLoader.EMBEDDED);
        } else {
            log.info("config {}", configFile.toAbsolutePath());
        }
        binding.warnings().forEach(w -> log.warn("config: {}", w));

        CountDownLatch stopped = new CountDownLatch(1);
        Srproxy srproxy;
        try {
            srproxy = Srproxy.start(config);
        } catch (RuntimeException e) {
            log.error("cannot start: {}", e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            srproxy.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** {@code srproxy check FILE}: prints problems and the effective configuration. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a config file and print the effective configuration (passwords masked).")
    static final class Check implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "the rtx.conf to check")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.isRegularFile(file)) {
                err.println(file + ": no such file");
                return 2;
            }
            RtxFile parsed = RtxFile.parse(Files.readString(file), file.toString());
            RtxConfigBinder.Binding binding = RtxConfigBinder.bind(parsed);
            for (ConfigProblem p : binding.problems()) {
                err.println((p.severity() == ConfigProblem.Severity.ERROR ? "error: " : "warning: ") + p);
            }
            if (!binding.errors().isEmpty()) {
                err.println(file + ": " + binding.errors().size() + " error(s)");
                return 1;
            }
            out.print(EffectiveConfig.render(parsed, binding.config()));
            out.println("## " + file + ": OK" + (binding.warnings().isEmpty() ? "" : " with "
                    + binding.warnings().size() + " warning(s)"));
            out.flush();
            return 0;
        }
    }
}
