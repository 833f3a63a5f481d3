package io.finetide.model.train;

/**
 * Hyper-parameters of one fine-tuning run.
 *
 * @param warmupRatio share of all steps with a linear learning-rate warmup; linear decay to 0 afterwards
 * @param maxGradNorm global-norm gradient clipping; 0 or less disables it
 * @param patience epochs without a better validation accuracy before stopping early; 0 disables early stopping
 */
public record TrainingConfig(double learningRate, int batchSize, int epochs, double weightDecay, double warmupRatio,
        double maxGradNorm, long seed, double dropout, int patience, double labelSmoothing, int threads) {

    public TrainingConfig {
        if (learningRate <= 0 || learningRate > 1) {
            throw new IllegalArgumentException("learning rate must be in (0, 1], got " + learningRate);
        }
        if (batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("batch size and epochs must be positive");
        }
        if (warmupRatio < 0 || warmupRatio >= 1) {
            throw new IllegalArgumentException("warmup ratio must be in [0, 1), got " + warmupRatio);
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
        return learningRate * Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
    }
}
