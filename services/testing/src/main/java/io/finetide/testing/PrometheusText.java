package io.finetide.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Prometheus's text format as the services expose it at {@code /q/metrics}: the sum of a metric's samples whose
 * labels include the given ones (every service adds labels of its own, such as {@code application}).
 */
public final class PrometheusText {

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PrometheusText() {
    }

    /** @param labels name, value, name, value, ... */
    public static double sum(String text, String metric, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        double sum = 0;
        for (String line : text.split("\n")) {
            if (!(line.startsWith(metric + " ") || line.startsWith(metric + "{"))) {
                continue;
            }
            Map<String, String> have = new LinkedHashMap<>();
            int brace = line.indexOf('{');
            int close = line.lastIndexOf('}');
            if (brace >= 0 && close > brace) {
                Matcher m = LABEL.matcher(line.substring(brace + 1, close));
                while (m.find()) {
                    have.put(m.group(1), m.group(2));
                }
            }
            if (have.entrySet().containsAll(wanted.entrySet())) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Whether the metric has a sample with these labels at all (a gauge or counter may be 0). */
    public static boolean has(String text, String metric, String... labels) {
        return sum(text, metric, labels) != 0 || text.lines().anyMatch(l -> l.startsWith(metric + "{") && matches(l,
                labels));
    }

    private static boolean matches(String line, String... labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                return false;
            }
        }
        return true;
    }
}
