package io.finetide.launcher.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the campaign saw, a line per operation, topic and Schemathesis run: how many inputs, what came of them, and
 * the problems (a 5xx, a refusal that does not say why, no answer, a consumer that did not catch up, a dead letter
 * without its reason, a service not healthy at the end), each with an example to reproduce it.
 */
public record FuzzReport(List<Line> lines) {

    /** At most this many examples of problems are kept per line. */
    static final int EXAMPLES = 3;

    /**
     * @param outcomes what came of the inputs, by kind ("2xx", "404", "dead-lettered", ...)
     * @param problems how many inputs broke a promise
     * @param examples some of them, to reproduce
     */
    public record Line(String target, long inputs, Map<String, Long> outcomes, long problems, List<String> examples) {
        @Override
        public String toString() {
            return "%-70s %8d  %-60s %s".formatted(target, inputs, outcomes, problems == 0
                    ? "ok"
                    : problems
                            + " PROBLEM(S) " + examples);
        }
    }

    /** Counts the answers of one target. */
    static final class Tally {
        private final String target;
        private long inputs;
        private long problems;
        private final Map<String, Long> outcomes = new TreeMap<>();
        private final List<String> examples = new ArrayList<>();

        Tally(String target) {
            this.target = target;
        }

        void answered(int status, boolean withoutReason, Supplier<String> example) {
            inputs++;
            String kind = status < 300 ? "2xx" : Integer.toString(status);
            outcomes.merge(kind, 1L, Long::sum);
            if (status >= 500) {
                problem("server error: " + example.get());
            } else if (withoutReason) {
                problem("refused without a reason: " + example.get());
            }
        }

        void unanswered(String example) {
            inputs++;
            outcomes.merge("no answer", 1L, Long::sum);
            problem("no answer: " + example);
        }

        void count(String outcome, long n) {
            outcomes.merge(outcome, n, Long::sum);
        }

        void inputs(long n) {
            inputs += n;
        }

        void problem(String example) {
            problems++;
            if (examples.size() < EXAMPLES) {
                examples.add(example);
            }
        }

        Line line() {
            return new Line(target, inputs, Map.copyOf(outcomes), problems, List.copyOf(examples));
        }
    }

    public List<Line> failures() {
        return lines.stream().filter(l -> l.problems() > 0).toList();
    }

    public long inputs() {
        return lines.stream().mapToLong(Line::inputs).sum();
    }

    public String table() {
        StringBuilder out = new StringBuilder("%-70s %8s  %-60s %s%n".formatted("target", "inputs", "outcomes",
                "promises"));
        lines.forEach(l -> out.append(l).append('\n'));
        out.append("%d inputs, %d line(s) with problems%n".formatted(inputs(), failures().size()));
        return out.toString();
    }
}
