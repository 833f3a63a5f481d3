package io.finetide.model.graph;

import java.util.Set;

import io.finetide.model.adapters.Lora;
import io.finetide.model.heads.DistillationLoss;
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
 * @param accumulate   build the gradient-accumulation ops ({@link TransformerGraph#accumulate},
 *                     {@link TransformerGraph#applyAccumulated})
 * @param privateSteps build DP-SGD's ops ({@link TransformerGraph#privateSteps})
 * @param explaining   build the gradient of a chosen probability with respect to the word embeddings
 *                     ({@link TransformerGraph#embeddingGradients}); inference only
 * @param distillation learn a teacher's soft labels beside the hard ones (each batch carries them:
 *                     {@link Batch#withSoftLabels}), or null
 */
public record GraphOptions(boolean training, Set<String> trainable, long seed, int threads, double labelSmoothing,
        float[] classWeights, double layerDecay, Optimizer optimizer, double momentum, Lora lora, boolean staged,
        boolean accumulate, boolean privateSteps, boolean explaining, DistillationLoss distillation) {
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
        if (distillation != null && privateSteps) {
            // DP-SGD clips each example's gradient of its own loss; a soft label is the teacher's, read from every
            // example, and its privacy is not accounted for.
            throw new IllegalArgumentException("DP-SGD does not distil");
        }
    }

    public static GraphOptions inference(int threads) {
        return new GraphOptions(false, Set.of(), 0, threads, 0, null, 1.0, Optimizer.ADAMW, 0, null, false, false,
                false, false, null);
    }

    /**
     * An inference graph that also differentiates a chosen output probability with respect to the word embeddings
     * (integrated gradients); a self-attention model only.
     */
    public static GraphOptions explaining(int threads) {
        return new GraphOptions(false, Set.of(), 0, threads, 0, null, 1.0, Optimizer.ADAMW, 0, null, false, false,
                false, true, null);
    }

    /**
     * A training graph updating {@code trainable}, with defaults changed by name: seed 0, one thread, no label
     * smoothing or class weights, one learning rate everywhere, AdamW, no adapters, not staged, no accumulation.
     */
    public static Builder training(Set<String> trainable) {
        return new Builder(trainable);
    }

    /** Named settings of a training graph; {@link #build()} validates. */
    public static final class Builder {
        private final Set<String> trainable;
        private long seed;
        private int threads = 1;
        private double labelSmoothing;
        private float[] classWeights;
        private double layerDecay = 1.0;
        private Optimizer optimizer = Optimizer.ADAMW;
        private double momentum;
        private Lora lora;
        private boolean staged;
        private boolean accumulate;
        private boolean privateSteps;
        private DistillationLoss distillation;

        private Builder(Set<String> trainable) {
            this.trainable = trainable;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder labelSmoothing(double v) {
            labelSmoothing = v;
            return this;
        }

        public Builder classWeights(float[] v) {
            classWeights = v;
            return this;
        }

        public Builder layerDecay(double v) {
            layerDecay = v;
            return this;
        }

        public Builder optimizer(Optimizer v) {
            optimizer = v;
            return this;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder lora(Lora v) {
            lora = v;
            return this;
        }

        public Builder staged(boolean v) {
            staged = v;
            return this;
        }

        public Builder accumulate(boolean v) {
            accumulate = v;
            return this;
        }

        public Builder privateSteps(boolean v) {
            privateSteps = v;
            return this;
        }

        public Builder distillation(DistillationLoss v) {
            distillation = v;
            return this;
        }

        public GraphOptions build() {
            return new GraphOptions(true, trainable, seed, threads, labelSmoothing, classWeights, layerDecay, optimizer,
                    momentum, lora, staged, accumulate, privateSteps, false, distillation);
        }
    }
}
