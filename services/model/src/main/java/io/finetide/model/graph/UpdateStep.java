package io.finetide.model.graph;

import java.util.Set;

/**
 * The knobs of one optimisation step.
 *
 * @param randomKey   selects this step's dropout masks (the trainer's micro-batch counter)
 * @param maxGradNorm global-norm clip; 0 or less disables it
 * @param active      with {@link GraphOptions#staged}: the parameters this step updates (null: all trainable)
 */
public record UpdateStep(long randomKey, double learningRate, double weightDecay, double maxGradNorm, double dropout,
        Set<String> active) {
    public UpdateStep(long randomKey, double learningRate, double weightDecay, double maxGradNorm, double dropout) {
        this(randomKey, learningRate, weightDecay, maxGradNorm, dropout, null);
    }
}
