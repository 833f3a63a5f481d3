package io.finetide.ingestion.labeling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A rule that votes one label for a text or abstains: {@code KEYWORDS} votes when any keyword occurs as a whole word
 * (or phrase), {@code REGEX} when any pattern is found. Case-insensitive unless {@code caseSensitive}.
 */
public final class LabelingFunction {

    public enum Kind {
        KEYWORDS, REGEX
    }

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final int MAX_PATTERNS = 200;

    private final String name;
    private final Kind kind;
    private final List<String> patterns;
    private final String label;
    private final boolean caseSensitive;
    private final List<Pattern> compiled;

    private LabelingFunction(String name, Kind kind, List<String> patterns, String label, boolean caseSensitive) {
        this.name = name;
        this.kind = kind;
        this.patterns = List.copyOf(patterns);
        this.label = label;
        this.caseSensitive = caseSensitive;
        int flags = caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
        List<Pattern> c = new ArrayList<>();
        for (String p : patterns) {
            // Keywords match whole words: "late" must not vote on "chocolate".
            c.add(Pattern.compile(kind == Kind.KEYWORDS
                    ? "(?<![\\p{L}\\p{N}])" + Pattern.quote(p)
                            + "(?![\\p{L}\\p{N}])"
                    : p, flags));
        }
        this.compiled = c;
    }

    /**
     * A validated function.
     *
     * @param labels the task's labels, one of which {@code label} must be
     * @throws IllegalArgumentException naming every problem
     */
    public static LabelingFunction of(String name, String kind, List<String> patterns, String label,
            boolean caseSensitive, List<String> labels) {
        List<String> problems = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add("name must match " + NAME.pattern());
        }
        Kind k = null;
        try {
            k = Kind.valueOf(kind == null ? "" : kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("kind must be one of " + java.util.Arrays.toString(Kind.values()));
        }
        if (patterns == null || patterns.isEmpty() || patterns.size() > MAX_PATTERNS) {
            problems.add("patterns: 1 to " + MAX_PATTERNS + " are needed");
        } else {
            for (String p : patterns) {
                if (p == null || p.isBlank()) {
                    problems.add("patterns: a pattern is blank");
                } else if (k == Kind.REGEX) {
                    try {
                        Pattern.compile(p);
                    } catch (PatternSyntaxException e) {
                        problems.add("patterns: '" + p + "' is not a regular expression: " + e.getDescription());
                    }
                }
            }
        }
        if (label == null || !labels.contains(label)) {
            problems.add("label '" + label + "' is not one of " + labels);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new LabelingFunction(name, k, patterns, label, caseSensitive);
    }

    /** The label this function votes for {@code text}, or null when it abstains. */
    public String vote(String text) {
        for (Pattern p : compiled) {
            if (p.matcher(text).find()) {
                return label;
            }
        }
        return null;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public List<String> patterns() {
        return patterns;
    }

    public String label() {
        return label;
    }

    public boolean caseSensitive() {
        return caseSensitive;
    }
}
