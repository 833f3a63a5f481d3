package io.finetide.launcher.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The campaign's figures, each a thing expected against what the topics and stores hold; the campaign passes when
 * every line matches.
 */
public final class Accounting {

    /** One figure: what the stream says must be, what was found, and whether they agree. */
    public record Line(String what, long expected, long found, boolean matches) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void expect(String what, long expected, long found) {
        lines.add(new Line(what, expected, found, expected == found));
    }

    void note(String note) {
        notes.add(note);
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    public List<Line> mismatches() {
        return lines.stream().filter(l -> !l.matches()).toList();
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** The table for docs/RELIABILITY.md. */
    public String table() {
        StringBuilder b = new StringBuilder("| what | expected | found | |\n|---|---:|---:|---|\n");
        for (Line l : lines) {
            b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %s |%n", l.what(), l.expected(), l.found(), l
                    .matches() ? "ok" : "**MISMATCH**"));
        }
        notes.forEach(n -> b.append("\n- ").append(n));
        return b.append('\n').toString();
    }
}
