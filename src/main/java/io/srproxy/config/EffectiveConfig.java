package io.srproxy.config;

import java.util.List;
import java.util.Optional;

/** Renders the effective configuration: every key with its value or default, secrets masked. */
public final class EffectiveConfig {

    private EffectiveConfig() {}

    public static String render(RtxFile file, RtxConfig config) {
        StringBuilder out = new StringBuilder();
        String section = null;
        for (ConfigKeys.Key key : ConfigKeys.ALL) {
            if (!key.section().equals(section)) {
                section = key.section();
                out.append(out.length() == 0 ? "" : "\n").append('[').append(section).append("]\n");
            }
            Optional<String> given = file.get(key.section(), key.name()).map(RtxFile.Entry::value)
                    .filter(v -> !v.isEmpty());
            String value = given.orElse(key.defaultValue());
            if (key.secret() && !value.isEmpty()) {
                value = "****";
            } else if (key.section().equals("cluster") && key.name().equals("redis")) {
                value = RtxConfig.Cluster.redacted(value);
            }
            out.append(key.name()).append('=').append(value.isEmpty() ? "\"\"" : value);
            out.append(given.isPresent() ? "" : value.isEmpty() ? "   ## not set" : "   ## default");
            out.append('\n');
        }
        List<String> accounts = config.rtm2sip().accounts();
        out.append("\n## acc_rule expands to ").append(accounts.size()).append(" account(s)")
                .append(accounts.isEmpty() ? "" : ": " + String.join(",", accounts)).append('\n');
        config.global().sipServer().ifPresent(s -> out.append("## SIP server: ").append(s).append('\n'));
        return out.toString();
    }
}
