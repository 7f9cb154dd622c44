package io.srproxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An rtx.conf file as written: sections of key=value entries, each remembering its line, read
 * exactly as the original SRProxy read it (see {@link #parse}). Typing and validation happen in
 * {@link RtxConfigBinder}.
 */
public final class RtxFile {

    /** One key=value line. {@code value} is already unquoted and cut at the first blank. */
    public record Entry(String section, String key, String value, int line) {}

    /** A line that could not be read as a section, an entry or a comment. */
    public record BadLine(int line, String text, String problem) {}

    private final String name;
    private final Map<String, Map<String, Entry>> sections = new LinkedHashMap<>();
    private final List<BadLine> badLines = new ArrayList<>();

    private RtxFile(String name) {
        this.name = name;
    }

    /**
     * Reads the original's format: {@code [section]} lines; {@code key=value} lines; a line whose
     * first non-blank character is {@code #} is a comment; a value ends at the first blank, so
     * {@code on=1   ## comment} reads as {@code 1}; a value may be double-quoted (then it may contain
     * blanks); keys before any section fall into {@code default}. Section and key names are
     * case-sensitive, as in the original. A later duplicate key replaces the earlier one.
     */
    public static RtxFile parse(String text, String name) {
        RtxFile file = new RtxFile(name);
        String section = "default";
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = stripBlanks(lines[i]);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                int close = line.indexOf(']');
                String rest = close < 0 ? "" : stripBlanks(line.substring(close + 1));
                if (close < 0 || !(rest.isEmpty() || rest.startsWith("#"))) {
                    file.badLines.add(new BadLine(lineNo, lines[i], "a section header must be [name]"));
                    continue;
                }
                section = stripBlanks(line.substring(1, close));
                if (section.isEmpty()) {
                    file.badLines.add(new BadLine(lineNo, lines[i], "empty section name"));
                    section = "default";
                }
                file.sections.computeIfAbsent(section, s -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                file.badLines.add(new BadLine(lineNo, lines[i],
                        eq == 0 ? "missing key before '='" : "expected key=value, [section] or # comment"));
                continue;
            }
            String key = stripBlanks(line.substring(0, eq));
            if (key.chars().anyMatch(RtxFile::isBlank)) {
                file.badLines.add(new BadLine(lineNo, lines[i], "a key cannot contain blanks"));
                continue;
            }
            Optional<String> value = readValue(line.substring(eq + 1));
            if (value.isEmpty()) {
                file.badLines.add(new BadLine(lineNo, lines[i], "unterminated double quote in value"));
                continue;
            }
            file.sections.computeIfAbsent(section, s -> new LinkedHashMap<>())
                    .put(key, new Entry(section, key, value.get(), lineNo));
        }
        return file;
    }

    private static Optional<String> readValue(String raw) {
        String s = stripLeadingBlanks(raw);
        if (s.startsWith("\"")) {
            int close = s.indexOf('"', 1);
            return close < 0 ? Optional.empty() : Optional.of(s.substring(1, close));
        }
        int end = 0;
        while (end < s.length() && !isBlank(s.charAt(end))) {
            end++;
        }
        return Optional.of(s.substring(0, end));
    }

    static boolean isBlank(int c) {
        return c == ' ' || c == '\t' || c == '\f' || c == 0x0B;
    }

    private static String stripLeadingBlanks(String s) {
        int i = 0;
        while (i < s.length() && isBlank(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripBlanks(String s) {
        String t = stripLeadingBlanks(s);
        int end = t.length();
        while (end > 0 && isBlank(t.charAt(end - 1))) {
            end--;
        }
        return t.substring(0, end);
    }

    public String name() {
        return name;
    }

    public Optional<Entry> get(String section, String key) {
        return Optional.ofNullable(sections.getOrDefault(section, Map.of()).get(key));
    }

    /** Every entry, in file order per section. */
    public List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        sections.values().forEach(m -> all.addAll(m.values()));
        all.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return all;
    }

    public List<BadLine> badLines() {
        return Collections.unmodifiableList(badLines);
    }
}
