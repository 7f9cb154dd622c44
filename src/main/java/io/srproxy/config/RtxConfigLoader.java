package io.srproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads rtx.conf from a file or from the copy embedded in the jar. */
public final class RtxConfigLoader {

    /** The shipped configuration, embedded in the jar (also at conf/rtx.conf in the repository). */
    public static final String EMBEDDED = "conf/rtx.conf";

    private RtxConfigLoader() {}

    public static RtxConfigBinder.Binding bind(Path path) throws ConfigException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read: " + e.getMessage());
        }
        return RtxConfigBinder.bind(RtxFile.parse(text, path.toString()));
    }

    public static RtxConfigBinder.Binding bindEmbedded() throws ConfigException {
        try (InputStream in = RtxConfigLoader.class.getClassLoader().getResourceAsStream(EMBEDDED)) {
            if (in == null) {
                throw new ConfigException("embedded " + EMBEDDED + " is missing from the jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return RtxConfigBinder.bind(RtxFile.parse(text, "embedded " + EMBEDDED));
        } catch (IOException e) {
            throw new ConfigException("cannot read embedded " + EMBEDDED + ": " + e.getMessage());
        }
    }

    /** The config, or an exception listing every error. Warnings are in the binding. */
    public static RtxConfig require(RtxConfigBinder.Binding binding) throws ConfigException {
        List<ConfigProblem> errors = binding.errors();
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return binding.config();
    }
}
