package io.srproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RtxFileTest {

    private static String value(RtxFile f, String section, String key) {
        return f.get(section, key).map(RtxFile.Entry::value).orElse(null);
    }

    @Test
    void valueEndsAtTheFirstBlankSoTrailingCommentsWork() {
        RtxFile f = RtxFile.parse("[rtm2sip]\non=1                              ## comment\nacc_rule=1005\t\t## tab comment\n", "t.conf");
        assertThat(value(f, "rtm2sip", "on")).isEqualTo("1");
        assertThat(value(f, "rtm2sip", "acc_rule")).isEqualTo("1005");
        assertThat(f.badLines()).isEmpty();
    }

    @Test
    void hashLinesAreComments() {
        RtxFile f = RtxFile.parse("#[rtc]\n  # indented comment\n#ip=RTC_IP\n[log]\n#* 0:SENSITIVE\nlevel=2\n", "t.conf");
        assertThat(f.get("rtc", "ip")).isEmpty();
        assertThat(value(f, "log", "level")).isEqualTo("2");
        assertThat(f.entries()).hasSize(1);
    }

    @Test
    void quotedValuesMayHoldBlanks() {
        RtxFile f = RtxFile.parse("[log]\nfile=\"my logs/srproxy.log\"   ## comment\n", "t.conf");
        assertThat(value(f, "log", "file")).isEqualTo("my logs/srproxy.log");
    }

    @Test
    void keysBeforeAnySectionFallIntoDefault() {
        RtxFile f = RtxFile.parse("orphan=1\n[global]\nappid=a\n", "t.conf");
        assertThat(value(f, "default", "orphan")).isEqualTo("1");
        assertThat(value(f, "global", "appid")).isEqualTo("a");
    }

    @Test
    void emptyValuesAndBlanksAroundTheEqualsSignAreRead() {
        RtxFile f = RtxFile.parse("[rtc]\nip=\nport = 6081\n", "t.conf");
        assertThat(value(f, "rtc", "ip")).isEmpty();
        assertThat(value(f, "rtc", "port")).isEqualTo("6081");
    }

    @Test
    void crLfLineEndingsAreAccepted() {
        RtxFile f = RtxFile.parse("[global]\r\nappid=x\r\nsip_svr=1.2.3.4\r\n", "t.conf");
        assertThat(value(f, "global", "appid")).isEqualTo("x");
        assertThat(f.get("global", "sip_svr").orElseThrow().line()).isEqualTo(3);
    }

    @Test
    void malformedLinesAreReportedWithTheirLineNumber() {
        RtxFile f = RtxFile.parse("[global]\njust words\n=1\n[rtc\nfile=\"open\n", "t.conf");
        assertThat(f.badLines()).extracting(RtxFile.BadLine::line).containsExactly(2, 3, 4, 5);
        assertThat(f.badLines()).extracting(RtxFile.BadLine::problem).containsExactly(
                "expected key=value, [section] or # comment", "missing key before '='",
                "a section header must be [name]", "unterminated double quote in value");
    }
}
