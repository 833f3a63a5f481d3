package io.finetide.model.graph;

import java.util.Set;

import io.finetide.model.adapters.Lora;
import io.finetide.model.optim.Optimizer;

/**
 * How a {@link TransformerGraph} is built: for inference, or for training with what.
 *
 * @param classWeights the loss weight of each label (an example counts with its label's weight), or null for
 *                     equal weights
 * @param layerDecay   discriminative fine-tuning ({@link io.finetide.model.optim.LayerwiseRates}); 1 gives every
 *                     parameter the same rate
 * @param lora         low-rank adapters to add (their names may then be {@code trainable}), or null
 * @param staged       the set of updated parameters may shrink below {@code trainable} per step
 *                     ({@link UpdateStep#active}), for gradual unfreezing
 * @param accumulate   build the gradient-accumulation ops ({@link #accumulate}, {@link #applyAccumulated})
 */
public record GraphOptions(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing,
        float[] classWeights, double layerDecay, Optimizer optimizer, double momentum, Lora lora, boolean staged,
        boolean accumulate) {
    public GraphOptions(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing) {
        this(training, trainable, seed, threads, labelSmoothing, null, 1.0);
    }

    public GraphOptions(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing,
            float[] classWeights, double layerDecay) {
        this(training, trainable, seed, threads, labelSmoothing, classWeights, layerDecay, Optimizer.ADAMW, 0,
                null, false, false);
    }

    public GraphOptions {
        if (layerDecay <= 0 || layerDecay > 1) {
            throw new IllegalArgumentException("layer decay must be in (0, 1], got " + layerDecay);
        }
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("an optimizer is needed");
        }
    }

    public static GraphOptions inference(int threads) {
        return new GraphOptions(false, Set.of(), 0, threads, 0);
    }
}
