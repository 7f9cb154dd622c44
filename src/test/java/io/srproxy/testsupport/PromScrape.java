package io.srproxy.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;

/** One Prometheus text scrape, its samples by series (name plus labels, as printed). */
public record PromScrape(Map<String, Double> samples) {

    public static PromScrape parse(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new PromScrape(m);
    }

    /** The sample of {@code series}, e.g. {@code srproxy_media_packets_total{direction="in",leg="sip"}}; fails when absent. */
    public double value(String series) {
        Double v = samples.get(series);
        if (v == null) {
            throw new AssertionError("no series " + series + " in the scrape; srproxy series: "
                    + samples.keySet().stream().filter(k -> k.startsWith("srproxy")).toList());
        }
        return v;
    }
}
