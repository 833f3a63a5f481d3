package io.finetide.evaluation.gate;

import java.util.Locale;

import io.finetide.proto.v1.Metrics;

/**
 * The promotion rule: a candidate is blessed when the task has no champion, or when its macro-F1 on the same test set
 * exceeds the champion's by at least the task's margin (a margin of 0 blesses ties, so a retrained model that is as
 * good as the champion, on more data, replaces it).
 */
public final class PromotionGate {

    /** Which clause of the rule decided; its {@link #tag()} labels the verdict metric. */
    public enum Rule {
        NO_TEST_EXAMPLES, FIRST_CHAMPION, BEATS_CHAMPION, BELOW_MARGIN;

        public String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The figure the gate compares: macro-F1, or entity F1 for tagging. */
    public enum Figure {
        MACRO_F1("macro-F1"), ENTITY_F1("entity F1");

        private final String label;

        Figure(String label) {
            this.label = label;
        }

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param candidateScore the candidate's figure
     * @param championScore  the champion's figure, NaN without a champion
     */
    public record Decision(boolean blessed, Rule rule, Figure figure, double candidateScore, double championScore,
            String reason) {
    }

    private PromotionGate() {
    }

    public static Decision decide(Metrics candidate, Metrics champion, double margin) {
        return decide(candidate, champion, margin, false);
    }

    /** @param entities a tagging task: the figure compared is the entity-level F1 ({@code micro_f1}) */
    public static Decision decide(Metrics candidate, Metrics champion, double margin, boolean entities) {
        Figure figure = entities ? Figure.ENTITY_F1 : Figure.MACRO_F1;
        double ours = entities ? candidate.getMicroF1() : candidate.getMacroF1();
        if (candidate.getExamples() == 0) {
            return new Decision(false, Rule.NO_TEST_EXAMPLES, figure, Double.NaN, Double.NaN,
                    "no test examples to score the candidate on");
        }
        if (champion == null) {
            return new Decision(true, Rule.FIRST_CHAMPION, figure, ours, Double.NaN, String.format(
                    "no champion yet; candidate %s %.4f", figure.label, ours));
        }
        double theirs = entities ? champion.getMicroF1() : champion.getMacroF1();
        double gain = ours - theirs;
        boolean blessed = gain >= margin;
        return new Decision(blessed, blessed ? Rule.BEATS_CHAMPION : Rule.BELOW_MARGIN, figure, ours, theirs, String
                .format("candidate %s %.4f vs champion %.4f (%+.4f, margin %.4f): %s", figure.label, ours, theirs,
                        gain, margin, blessed ? "promote" : "keep champion"));
    }
}
