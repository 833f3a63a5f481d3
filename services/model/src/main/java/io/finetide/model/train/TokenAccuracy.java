package io.finetide.model.train;

import io.finetide.model.infer.Predictor;

/** Running next-token (or target-token) accuracy and cross-entropy over validation positions. */
final class TokenAccuracy {

    private long right;
    private long counted;
    private double loss;

    /** Counts one position whose true token is {@code truth}, given the model's probabilities there. */
    void add(float[] probabilities, int truth) {
        right += Predictor.argMax(probabilities) == truth ? 1 : 0;
        loss -= Math.log(Math.max(1e-12, probabilities[truth]));
        counted++;
    }

    ValidationFigures figures() {
        return ValidationFigures.of(counted == 0 ? 0 : right / (double) counted, counted == 0 ? 0 : loss / counted);
    }
}
