package io.finetide.evaluation.gate;

import java.util.List;

import io.finetide.evaluation.robustness.FlipRates;
import io.finetide.proto.v1.CalibrationReport;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ServingCost;
import io.finetide.proto.v1.Significance;
import io.finetide.proto.v1.SliceMetrics;

/**
 * Everything measured about a candidate (and the champion, on the same examples) before the gate's rules read it.
 *
 * @param candidate             on the golden test set (the test split when the task has none)
 * @param champion              the same, null without a champion
 * @param significance          null without a champion
 * @param slices                per metadata value, and the recent test set as key {@code subset}
 * @param candidateCalibration  null for tagging
 * @param championCalibration   null for tagging or without a champion
 * @param candidateCost         size and speed, measured beside the champion's
 * @param championCost          null without a champion
 */
public record Evidence(PromotionGate.Figure figure, String testSet, Metrics candidate, Metrics champion,
        Significance significance, List<SliceMetrics> slices, List<FlipRates.Result> robustness,
        CalibrationReport candidateCalibration, CalibrationReport championCalibration, ServingCost candidateCost,
        ServingCost championCost) {

    /** The key under which the recent test set appears among the slices. */
    public static final String SUBSET = "subset";

    public boolean hasChampion() {
        return champion != null;
    }

    public double candidateScore() {
        return figure.of(candidate);
    }

    public double championScore() {
        return champion == null ? Double.NaN : figure.of(champion);
    }
}
