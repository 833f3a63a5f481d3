package io.finetide.model.train;

import io.finetide.model.optim.Optimizer;
import io.finetide.model.privacy.DpSgd;

/**
 * Hyper-parameters of one fine-tuning run.
 *
 * @param warmupRatio share of all steps with a linear learning-rate warmup; then the {@code schedule}
 * @param maxGradNorm global-norm gradient clipping; 0 or less disables it
 * @param patience epochs without a better validation accuracy before stopping early; 0 disables early stopping
 * @param layerDecay discriminative learning rates: each encoder layer learns at this factor of the one above it (the
 *            head at the full rate); 1 for one rate everywhere
 * @param batchSize examples per forward pass (a micro-batch when {@code accumulationSteps} is above 1)
 * @param momentum with SGD: the heavy-ball momentum
 * @param accumulationSteps micro-batches whose mean gradient makes one update (an effective batch of
 *            {@code batchSize * accumulationSteps} in the memory of one micro-batch)
 * @param selection the validation figure that picks the best epoch and drives early stopping
 * @param privacy differentially private training (DP-SGD: per-example clipping, noise, Poisson-sampled batches of
 *            expected size {@code batchSize}); null trains without
 */
public record TrainingConfig(double learningRate, int batchSize, int epochs, double weightDecay, double warmupRatio,
        double maxGradNorm, long seed, double dropout, int patience, double labelSmoothing, int threads,
        Schedule schedule, ClassWeighting classWeighting, double layerDecay, Optimizer optimizer,
        double momentum, int accumulationSteps, Selection selection, DpSgd privacy) {

    /** The validation figure an epoch is judged by (higher is better, except the loss). */
    public enum Selection {
        /**
         * Accuracy for sequence tasks; entity F1 for token tasks; next-token accuracy for language models.
         */
        ACCURACY,
        /** Macro-averaged F1 over the labels (sequence tasks; token tasks use entity F1 for both). */
        MACRO_F1,
        /** The validation loss, lowest best. */
        LOSS,
        /**
         * No choice: the last epoch's weights, and no early stopping. For a refit on all the labelled data (the
         * validation set included) for an epoch count an earlier run chose; its validation figures are then figures
         * on training data. The epoch's metric is the accuracy figure, reported only.
         */
        LAST_EPOCH
    }

    /** How the loss weighs the labels. */
    public enum ClassWeighting {
        /** Every example counts the same. */
        NONE,
        /** Each label weighs N / (K n_k) over the training set: rare labels count as much as frequent ones. */
        BALANCED
    }

    /** The learning rate after the warmup. */
    public enum Schedule {
        /** Linear decay to 0 at the last step. */
        LINEAR,
        /** Half a cosine from the peak to 0 at the last step. */
        COSINE,
        /** The peak rate to the end. */
        CONSTANT
    }

    /** The same run with another optimizer. */
    public TrainingConfig withOptimizer(Optimizer optimizer, double momentum) {
        return toBuilder().optimizer(optimizer).momentum(momentum).build();
    }

    /**
     * Examples times tokens that one forward and backward pass may hold: what the platform's default (batches of 32 at
     * 64 tokens) holds. A MiniLM-size encoder trains there within 2.5 GB of resident memory; batches of 32 at 256
     * tokens took 6.3 GB (./finetide bench long-text), past what the training service is given.
     */
    public static final int TOKENS_PER_PASS = 32 * 64;

    /**
     * The same updates in passes of at most {@code tokens} tokens for examples up to {@code longest} tokens: the batch
     * split into equal micro-batches (halved while it divides evenly) whose mean gradient makes each update, so that a
     * longer sequence length does not multiply the memory of a step. A DP-SGD run clips per example in pieces of its
     * own and is left as it is.
     */
    public TrainingConfig withinTokens(int longest, int tokens) {
        int split = 1;
        while (privacy == null && (long) (batchSize / split) * longest > tokens && batchSize % (split * 2) == 0) {
            split *= 2;
        }
        return split == 1
                ? this
                : toBuilder().batchSize(batchSize / split).accumulationSteps(accumulationSteps * split).build();
    }

    /** The same run with {@code steps} micro-batches per update. */
    public TrainingConfig withAccumulation(int steps) {
        return toBuilder().accumulationSteps(steps).build();
    }

    /** The same run judging its epochs by {@code metric}. */
    public TrainingConfig withSelection(Selection metric) {
        return toBuilder().selection(metric).build();
    }

    public TrainingConfig {
        if (labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (layerDecay <= 0 || layerDecay > 1) {
            throw new IllegalArgumentException("layer decay must be in (0, 1], got " + layerDecay);
        }
        if (schedule == null || classWeighting == null) {
            throw new IllegalArgumentException("a schedule and a class weighting are needed");
        }
        if (learningRate <= 0 || learningRate > 1) {
            throw new IllegalArgumentException("learning rate must be in (0, 1], got " + learningRate);
        }
        if (batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("batch size and epochs must be positive");
        }
        if (warmupRatio < 0 || warmupRatio >= 1) {
            throw new IllegalArgumentException("warmup ratio must be in [0, 1), got " + warmupRatio);
        }
        if (optimizer == null || selection == null) {
            throw new IllegalArgumentException("an optimizer and a selection metric are needed");
        }
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (accumulationSteps < 1) {
            throw new IllegalArgumentException("gradient accumulation steps must be positive, got "
                    + accumulationSteps);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive");
        }
        if (privacy != null && accumulationSteps != 1) {
            throw new IllegalArgumentException("DP-SGD clips each example: its batches take no gradient accumulation");
        }
    }

    /**
     * A configuration with the platform's defaults (learning rate 5e-5, batch 32, 3 epochs, weight decay 0.01, warmup
     * 10%, clipping at 1, seed 42, dropout 0.1, no early stopping, no label smoothing, one thread, linear decay,
     * AdamW, one micro-batch per update, epochs judged by accuracy, not private), each changed by name.
     */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.learningRate = learningRate;
        b.batchSize = batchSize;
        b.epochs = epochs;
        b.weightDecay = weightDecay;
        b.warmupRatio = warmupRatio;
        b.maxGradNorm = maxGradNorm;
        b.seed = seed;
        b.dropout = dropout;
        b.patience = patience;
        b.labelSmoothing = labelSmoothing;
        b.threads = threads;
        b.schedule = schedule;
        b.classWeighting = classWeighting;
        b.layerDecay = layerDecay;
        b.optimizer = optimizer;
        b.momentum = momentum;
        b.accumulationSteps = accumulationSteps;
        b.selection = selection;
        b.privacy = privacy;
        return b;
    }

    /** Named settings instead of eighteen positional ones; {@link #build()} validates. */
    public static final class Builder {
        private double learningRate = 5e-5;
        private int batchSize = 32;
        private int epochs = 3;
        private double weightDecay = 0.01;
        private double warmupRatio = 0.1;
        private double maxGradNorm = 1.0;
        private long seed = 42;
        private double dropout = 0.1;
        private int patience;
        private double labelSmoothing;
        private int threads = 1;
        private Schedule schedule = Schedule.LINEAR;
        private ClassWeighting classWeighting = ClassWeighting.NONE;
        private double layerDecay = 1.0;
        private Optimizer optimizer = Optimizer.ADAMW;
        private double momentum;
        private int accumulationSteps = 1;
        private Selection selection = Selection.ACCURACY;
        private DpSgd privacy;

        private Builder() {
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder warmupRatio(double v) {
            warmupRatio = v;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        public Builder patience(int v) {
            patience = v;
            return this;
        }

        public Builder labelSmoothing(double v) {
            labelSmoothing = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder schedule(Schedule v) {
            schedule = v;
            return this;
        }

        public Builder classWeighting(ClassWeighting v) {
            classWeighting = v;
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

        public Builder accumulationSteps(int v) {
            accumulationSteps = v;
            return this;
        }

        public Builder selection(Selection v) {
            selection = v;
            return this;
        }

        public Builder privacy(DpSgd v) {
            privacy = v;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm, seed,
                    dropout, patience, labelSmoothing, threads, schedule, classWeighting, layerDecay, optimizer,
                    momentum, accumulationSteps, selection, privacy);
        }
    }

    /** The learning rate at 0-based step {@code step} of {@code total}. */
    public double learningRateAt(long step, long total) {
        long warmup = Math.round(warmupRatio * total);
        if (step < warmup) {
            return learningRate * (step + 1) / warmup;
        }
        // Progress through the decay: 0 right after the warmup, 1 at the end.
        double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, total - warmup));
        return switch (schedule) {
            case LINEAR -> learningRate * Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
            case COSINE -> learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
            case CONSTANT -> learningRate;
        };
    }
}
