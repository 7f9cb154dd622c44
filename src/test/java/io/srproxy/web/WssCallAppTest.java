package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.srproxy.Srproxy;
import io.srproxy.auth.SelfSignedCertificate;
import io.srproxy.config.RtxConfigBinder;
import io.srproxy.config.RtxFile;
import io.srproxy.testsupport.FreePorts;
import io.srproxy.testsupport.Peers;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * srproxy with [rtm] tls_cert/tls_key serves the call app over HTTPS and signalling over WSS to
 * a real browser: Chromium trusts the self-signed certificate by its key, as an operator would.
 */
class WssCallAppTest {

    @TempDir
    Path dir;

    @Test
    void chromiumLoadsTheAppOverHttpsAndLogsInOverWss() throws Exception {
        Peers.chromium();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        X509Certificate certificate = SelfSignedCertificate.write(cert, key, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        String conf = "[global]\nappid=srproxy\nsip_local_port=" + FreePorts.tcpAndUdp()
                + "\n[rtm]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\ntls_cert=" + cert + "\ntls_key=" + key
                + "\n[rtc]\nip=127.0.0.1\nport=" + FreePorts.tcpAndUdp() + "\n";
        try (Srproxy srproxy = Srproxy.start(RtxConfigBinder.bind(RtxFile.parse(conf, "wss.conf")).config());
             CallAppPage page = new CallAppPage("https://127.0.0.1:" + srproxy.webPort() + "/", null, certificate)) {
            assertThat(page.js("return location.protocol + ' ' + window.isSecureContext")).isEqualTo("https: true");
            page.login("4401");
            await().atMost(Duration.ofSeconds(10)).until(() -> srproxy.rtm().onlineCount() == 1);
            assertThat(page.js("return performance.getEntriesByType('resource').map(e => e.name)"
                    + ".concat([location.href]).every(u => u.startsWith('https:'))")).as("every resource over https").isEqualTo(true);
        }
    }
}
