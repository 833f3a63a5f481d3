package io.finetide.model.train;

import io.finetide.model.optim.Optimizer;

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
 */
public record TrainingConfig(double learningRate, int batchSize, int epochs, double weightDecay, double warmupRatio,
        double maxGradNorm, long seed, double dropout, int patience, double labelSmoothing, int threads,
        Schedule schedule, ClassWeighting classWeighting, double layerDecay, Optimizer optimizer,
        double momentum, int accumulationSteps, Selection selection) {

    /** The validation figure an epoch is judged by (higher is better, except the loss). */
    public enum Selection {
        /**
         * Accuracy for sequence tasks; entity F1 for token tasks; next-token accuracy for language models.
         */
        ACCURACY,
        /** Macro-averaged F1 over the labels (sequence tasks; token tasks use entity F1 for both). */
        MACRO_F1,
        /** The validation loss, lowest best. */
        LOSS
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

    /** AdamW, one update per batch. */
    public TrainingConfig(double learningRate, int batchSize, int epochs, double weightDecay, double warmupRatio,
            double maxGradNorm, long seed, double dropout, int patience, double labelSmoothing, int threads,
            Schedule schedule, ClassWeighting classWeighting, double layerDecay) {
        this(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm, seed, dropout, patience,
                labelSmoothing, threads, schedule, classWeighting, layerDecay, Optimizer.ADAMW, 0, 1,
                Selection.ACCURACY);
    }

    /** The same run with another optimizer. */
    public TrainingConfig withOptimizer(Optimizer optimizer, double momentum) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm, seed,
                dropout, patience, labelSmoothing, threads, schedule, classWeighting, layerDecay, optimizer, momentum,
                accumulationSteps, selection);
    }

    /** The same run with {@code steps} micro-batches per update. */
    public TrainingConfig withAccumulation(int steps) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm, seed,
                dropout, patience, labelSmoothing, threads, schedule, classWeighting, layerDecay, optimizer, momentum,
                steps, selection);
    }

    /** The same run judging its epochs by {@code metric}. */
    public TrainingConfig withSelection(Selection metric) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm, seed,
                dropout, patience, labelSmoothing, threads, schedule, classWeighting, layerDecay, optimizer, momentum,
                accumulationSteps, metric);
    }

    /** Linear decay after the warmup. */
    public TrainingConfig(double learningRate, int batchSize, int epochs, double weightDecay, double warmupRatio,
            double maxGradNorm, long seed, double dropout, int patience, double labelSmoothing, int threads) {
        this(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm, seed, dropout, patience,
                labelSmoothing, threads, Schedule.LINEAR, ClassWeighting.NONE, 1.0, Optimizer.ADAMW, 0,
                1, Selection.ACCURACY);
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
