package io.srproxy.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering README and docs/architecture.md promise, read from the sources (no ArchUnit):
 * media/ is used by sip/ and rtc/ and imports neither them nor anything above them; sip/ takes its
 * RTP from media/, and of rtc/ only the DTLS-SRTP/SDES pieces of {@code rtc.webrtc}.
 */
class MediaLayeringTest {

    private static final Path MAIN = Path.of("src/main/java/io/srproxy");
    /** Any use of an io.srproxy package, imported or written out. */
    private static final Pattern USE = Pattern.compile("\\bio\\.srproxy\\.([a-z]+(?:\\.[a-z]+)*)");

    @Test
    void mediaImportsNoUpperLayer() {
        assertThat(uses("media")).as("packages media/ refers to")
                .noneMatch(u -> u.matches("(rtc|sip|rtm|gateway|web|cluster)(\\..*)?"));
    }

    @Test
    void sipTakesRtpFromMediaOnly() {
        assertThat(uses("sip")).as("rtc packages sip/ refers to")
                .filteredOn(u -> u.startsWith("rtc"))
                .allMatch(u -> u.equals("rtc.webrtc"));
    }

    /** The io.srproxy packages (without "io.srproxy.") that files under {@code dir} name. */
    private static List<String> uses(String dir) {
        try (Stream<Path> files = Files.walk(MAIN.resolve(dir))) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    Matcher m = USE.matcher(Files.readString(f));
                    return m.results().map(r -> r.group(1)).toList().stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).distinct().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
