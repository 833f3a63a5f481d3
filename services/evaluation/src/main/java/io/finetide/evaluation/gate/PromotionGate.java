package io.finetide.evaluation.gate;

import io.finetide.proto.v1.Metrics;

/**
 * The promotion rule: a candidate is blessed when the task has no champion, or when its macro-F1 on the same test set
 * exceeds the champion's by at least the task's margin (a margin of 0 blesses ties, so a retrained model that is as
 * good as the champion, on more data, replaces it).
 */
public final class PromotionGate {

    public record Decision(boolean blessed, String reason) {
    }

    private PromotionGate() {
    }

    public static Decision decide(Metrics candidate, Metrics champion, double margin) {
        return decide(candidate, champion, margin, false);
    }

    /** @param entities a tagging task: the figure compared is the entity-level F1 ({@code micro_f1}) */
    public static Decision decide(Metrics candidate, Metrics champion, double margin, boolean entities) {
        if (candidate.getExamples() == 0) {
            return new Decision(false, "no test examples to score the candidate on");
        }
        String name = entities ? "entity F1" : "macro-F1";
        double ours = entities ? candidate.getMicroF1() : candidate.getMacroF1();
        if (champion == null) {
            return new Decision(true, String.format("no champion yet; candidate %s %.4f", name, ours));
        }
        double theirs = entities ? champion.getMicroF1() : champion.getMacroF1();
        double gain = ours - theirs;
        boolean blessed = gain >= margin;
        return new Decision(blessed, String.format("candidate %s %.4f vs champion %.4f (%+.4f, margin %.4f): %s",
                name, ours, theirs, gain, margin, blessed ? "promote" : "keep champion"));
    }
}
