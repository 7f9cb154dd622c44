package io.srproxy.bench;

import io.srproxy.config.RtxConfig;
import io.srproxy.log.LogSetup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** What the load harnesses' mains share: {@code --name value} options, and children stopped on exit or Ctrl-C. */
final class HarnessMain {

    /** A harness run on the command line's options (without "--"). */
    interface Run {
        void run(Map<String, String> opts) throws Exception;
    }

    private HarnessMain() {
    }

    /** Parses {@code args} (exits 2 with {@code usage} on a bad one), runs, exits 0, or 1 after printing what failed. */
    static void main(String[] args, String usage, Run run) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: " + usage + "; bad argument: " + args[i]);
                System.exit(2);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        LogSetup.apply(new RtxConfig.Log(3, Optional.empty(), 100), true);
        int code = 0;
        try {
            run.run(opts);
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    /** Runs {@code body}, then {@code stop}; a shutdown hook calls {@code stop} if the JVM ends first. */
    static <T> T withStop(Runnable stop, String hookName, Callable<T> body) throws Exception {
        Thread hook = new Thread(stop, hookName);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.call();
        } finally {
            stop.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // the hook is running already
            }
        }
    }

    /** Closes {@code children} in reverse order of start (saying which failed to) and forgets them. */
    static void closeAll(List<AutoCloseable> children) {
        for (int i = children.size() - 1; i >= 0; i--) {
            try {
                children.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping " + children.get(i) + ": " + e);
            }
        }
        children.clear();
    }
}
