package io.finetide.evaluation.domain;

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
        if (candidate.getExamples() == 0) {
            return new Decision(false, "no test examples to score the candidate on");
        }
        if (champion == null) {
            return new Decision(true, String.format("no champion yet; candidate macro-F1 %.4f",
                    candidate.getMacroF1()));
        }
        double gain = candidate.getMacroF1() - champion.getMacroF1();
        boolean blessed = gain >= margin;
        return new Decision(blessed, String.format("candidate macro-F1 %.4f vs champion %.4f (%+.4f, margin %.4f): %s",
                candidate.getMacroF1(), champion.getMacroF1(), gain, margin, blessed ? "promote" : "keep champion"));
    }
}
