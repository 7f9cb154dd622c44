package io.srproxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void lineBreaksAndControlCharactersAreEscapedSoAValueStaysOnItsLine() {
        assertThat(LogSafe.of("bob\n2026-01-01 INFO forged")).isEqualTo("bob\\n2026-01-01 INFO forged");
        assertThat(LogSafe.of("a\rb\tc\u0000d\u001be\u007ff\u0085g")).isEqualTo("a\\rb\\tc\\u0000d\\u001Be\\u007Ff\\u0085g");
        assertThat(LogSafe.of("x\u2028y\u2029z")).isEqualTo("x\\u2028y\\u2029z");
    }

    @Test
    void plainValuesPassUnchangedAndNullSaysSo() {
        String plain = "alice-é-中文-\uD83D\uDE00 with spaces";
        assertThat(LogSafe.of(plain)).isSameAs(plain);
        assertThat(LogSafe.of(null)).isEqualTo("null");
        assertThat(LogSafe.of(42)).isEqualTo("42");
    }

    @Test
    void longValuesAreCutWithAMarkerSayingHowMuch() {
        String s = LogSafe.of("a".repeat(1000));
        assertThat(s).isEqualTo("a".repeat(LogSafe.MAX_CHARS) + "...(800 more chars)");
        assertThat(LogSafe.of("ab\ncdef", 4)).isEqualTo("ab\\nc...(3 more chars)");
        // a cut never splits a surrogate pair
        assertThat(LogSafe.of("ab\uD83D\uDE00c", 3)).isEqualTo("ab...(3 more chars)");
    }
}
