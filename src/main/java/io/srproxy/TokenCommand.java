package io.srproxy;

import io.srproxy.auth.LoginTokens;
import io.srproxy.config.RtxConfig;
import io.srproxy.config.RtxConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code srproxy token --uid U --ttl 3600 [FILE]}: mints a login token with the config's appid and app_cert. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Mint a login token for a uid (HMAC-SHA256 with [global] app_cert; see docs/protocol.md).")
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--uid", required = true, description = "the uid the token is for")
    String uid;

    @Option(names = "--ttl", defaultValue = "3600", description = "seconds until it expires (default: ${DEFAULT-VALUE})")
    long ttl;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "rtx.conf with appid and app_cert (default: embedded)")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        RtxConfig config = RtxConfigLoader.require(
                configFile == null ? RtxConfigLoader.bindEmbedded() : RtxConfigLoader.bind(configFile));
        if (config.global().appCert().isEmpty()) {
            System.err.println("[global] app_cert is not set in " + config.source() + ": tokens are not needed, none minted");
            return 1;
        }
        if (ttl <= 0) {
            System.err.println("--ttl must be positive");
            return 2;
        }
        System.out.println(new LoginTokens(config.global().appId(), config.global().appCert().get(), Clock.systemUTC()).mint(uid, ttl));
        return 0;
    }
}
