package io.srproxy.bench;

import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG line chart: one x axis, series on a left or a right y axis (each axis from
 * 0 to its largest value), points marked, a legend. Enough to see a trend without a plot library.
 */
final class SvgPlot {

    /** One line; {@code right} puts it on the right-hand axis; {@code xs} null: the chart's xs. */
    record Series(String name, String color, boolean right, double[] ys, double[] xs) {
        Series(String name, String color, boolean right, double[] ys) {
            this(name, color, right, ys, null);
        }
    }

    private static final int W = 720;
    private static final int H = 400;
    private static final int L = 70;
    private static final int R = 70;
    private static final int T = 40;
    private static final int B = 60;

    private SvgPlot() {}

    static String render(String title, String xLabel, double[] xs, String leftLabel, String rightLabel, List<Series> series) {
        double xMax = nice(Math.max(max(xs), series.stream().filter(s -> s.xs() != null).mapToDouble(s -> max(s.xs())).max().orElse(0)));
        double leftMax = nice(series.stream().filter(s -> !s.right()).mapToDouble(s -> max(s.ys())).max().orElse(1));
        double rightMax = nice(series.stream().filter(Series::right).mapToDouble(s -> max(s.ys())).max().orElse(1));
        StringBuilder b = new StringBuilder();
        b.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H));
        b.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H));
        b.append(f("<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n", W / 2, esc(title)));
        int x0 = L;
        int x1 = W - R;
        int y0 = H - B;
        int y1 = T;
        b.append(f("<path d=\"M%d %d V%d H%d V%d\" stroke=\"black\" fill=\"none\"/>\n", x0, y1, y0, x1, y1));
        for (int i = 0; i <= 4; i++) {
            double frac = i / 4.0;
            double y = y0 - frac * (y0 - y1);
            double x = x0 + frac * (x1 - x0);
            b.append(f("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x0, x1, y, y));
            b.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", x0 - 5, y + 4, num(leftMax * frac)));
            b.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"start\">%s</text>\n", x1 + 5, y + 4, num(rightMax * frac)));
            b.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, y0 + 18, num(xMax * frac)));
        }
        b.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (x0 + x1) / 2, H - 20, esc(xLabel)));
        b.append(f("<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>\n", (y0 + y1) / 2, esc(leftLabel)));
        b.append(f("<text transform=\"translate(%d %d) rotate(90)\" text-anchor=\"middle\">%s</text>\n", W - 14, (y0 + y1) / 2, esc(rightLabel)));
        int legendX = x0 + 10;
        int legendY = T + 4;
        for (Series s : series) {
            double top = s.right() ? rightMax : leftMax;
            StringBuilder pts = new StringBuilder();
            double[] sx = s.xs() != null ? s.xs() : xs;
            for (int i = 0; i < Math.min(sx.length, s.ys().length); i++) {
                double px = x0 + sx[i] / xMax * (x1 - x0);
                double py = y0 - s.ys()[i] / top * (y0 - y1);
                pts.append(f("%.1f,%.1f ", px, py));
                b.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, s.color()));
            }
            b.append(f("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts.toString().trim(), s.color()));
            String label = s.name() + (s.right() ? " (right)" : " (left)");
            if (legendX > x0 + 10 && legendX + 16 + label.length() * 7 > x1) { // wrap to a new legend row
                legendX = x0 + 10;
                legendY += 16;
            }
            b.append(f("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", legendX, legendY, s.color()));
            b.append(f("<text x=\"%d\" y=\"%d\">%s</text>\n", legendX + 16, legendY + 10, esc(label)));
            legendX += 30 + label.length() * 7;
        }
        return b.append("</svg>\n").toString();
    }

    private static double max(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, d);
        }
        return m;
    }

    /** The axis top: a round multiple of a power of ten, at least the largest value. */
    private static double nice(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : f("%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
