package io.finetide.launcher.monitoring;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of PromQL's surface to check dashboards and alerts without a parser: the metric names an expression
 * reads, the Grafana variables it uses, and the signal under an alert's threshold.
 */
public final class PromQl {

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([a-zA-Z_][a-zA-Z0-9_]*)");
    private static final Pattern THRESHOLD = Pattern.compile(
            "^(.*?)\\s*(?:>|<|>=|<=|==|!=)\\s*(?:bool\\s+)?[-+]?[0-9.]+(?:e[-+]?[0-9]+)?\\s*$", Pattern.DOTALL);

    private PromQl() {
    }

    /** The metric names an expression reads (in order of first use). */
    public static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = s.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m
                    .start() - 1) == '.');
            if (!call && !partOfNumber && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }

    /**
     * The expression under a threshold at its end ({@code X > 0.5} gives {@code X}), when the comparison is at the top
     * level; empty otherwise. A healthy platform fires no alert, so the live check asks for the signal instead.
     */
    public static Optional<String> signal(String expr) {
        Matcher m = THRESHOLD.matcher(expr.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        String left = m.group(1);
        int depth = 0;
        for (char c : left.toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        }
        return depth == 0 && !left.isBlank() ? Optional.of(left.strip()) : Optional.empty();
    }

    /**
     * The expression as Grafana would send it with every task selected: {@code $task} matches all, rate windows are
     * one minute (four scrapes at Prometheus's default interval, enough for the local 1-second scrapes too).
     */
    public static String asGrafanaSends(String expr) {
        return expr.replace("${task}", ".*").replace("$task", ".*").replace("$__rate_interval", "1m").replace(
                "$__interval", "1m").replace("$__range", "1h");
    }

    /** The Grafana variables an expression uses ({@code task}, {@code __rate_interval}, ...). */
    public static Set<String> variables(String expr) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
