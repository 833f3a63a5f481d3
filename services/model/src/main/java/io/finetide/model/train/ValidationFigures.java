package io.finetide.model.train;

import java.util.OptionalDouble;

/**
 * How a model does on the validation set after an epoch.
 *
 * @param score   the task's accuracy-like figure, higher is better: accuracy (sequences), entity F1 (tags),
 *                next-token or teacher-forced token accuracy (language models, sequence to sequence)
 * @param loss    the mean cross-entropy
 * @param macroF1 macro-averaged F1 over the labels, for sequence tasks only
 */
public record ValidationFigures(double score, double loss, OptionalDouble macroF1) {

    public static ValidationFigures of(double score, double loss) {
        return new ValidationFigures(score, loss, OptionalDouble.empty());
    }

    /**
     * The figure {@code selection} judges an epoch by, higher is better. A task without a macro-F1 is judged by its
     * score under {@link TrainingConfig.Selection#MACRO_F1} (for tags that score is already an F1: entity F1).
     */
    public double metric(TrainingConfig.Selection selection) {
        return switch (selection) {
            case ACCURACY, LAST_EPOCH -> score;
            case MACRO_F1 -> macroF1.orElse(score);
            case LOSS -> -loss;
        };
    }
}
