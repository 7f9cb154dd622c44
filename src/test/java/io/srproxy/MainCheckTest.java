package io.srproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainCheckTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run check(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void checkPrintsEveryKeyWithDefaultsExpandedAccountsAndMaskedPasswords() throws Exception {
        Path conf = Files.writeString(dir.resolve("rtx.conf"), """
                [global]
                appid=demo
                sip_svr=127.0.0.1:5060
                app_cert=topsecret
                [rtm2sip]
                on=1
                acc_rule=1005;10[06-19]   ## fifteen
                [proxy]
                on=1
                sip_account=1000
                sip_pwd=1234
                rtm_account=1086
                """);
        Run run = check("check", conf.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("appid=demo\n", "sip_local_port=5086   ## default", "[media]", "rtp_port_min=16384   ## default")
                .contains("sip_pwd=****", "app_cert=****")
                .doesNotContain("1234\n", "topsecret")
                .contains("## acc_rule expands to 15 account(s): 1005,1006,1007,1008,1009,1010,1011,1012,1013,1014,1015,1016,1017,1018,1019")
                .contains(": OK");
    }

    @Test
    void checkFailsWithEveryErrorNamed() throws Exception {
        Path conf = Files.writeString(dir.resolve("bad.conf"), "[global]\nsip_local_port=0\n[rtm2sip]\non=1\nacc_rule=10[19-06]\n");
        Run run = check("check", conf.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .contains("error: " + conf + ":2: [global] sip_local_port: 0 is out of range 1..65535")
                .contains("error: " + conf + ":5: [rtm2sip] acc_rule: '10[19-06]': FROM 19 is greater than TO 06")
                .contains("error: " + conf + ": [global] sip_svr: required because [rtm2sip] is on")
                .contains("3 error(s)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void checkWarnsButPassesOnTheGuideSample() throws Exception {
        Path conf = dir.resolve("guide.conf");
        Files.copy(MainCheckTest.class.getResourceAsStream("/samples/guide-rtx.conf"), conf);
        Run run = check("check", conf.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.err()).contains("warning: " + conf + ":3: [global] sip_svr: 'IP' looks like a placeholder");
        assertThat(run.out()).contains("OK with 1 warning(s)");
    }

    @Test
    void checkOfAMissingFileSaysSo() {
        Run run = check("check", dir.resolve("nope.conf").toString());
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("nope.conf: no such file");
    }

    @Test
    void checkWithoutAFileIsAUsageError() {
        Run run = check("check");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'FILE'");
    }
}
