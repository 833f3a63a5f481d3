package io.finetide.model.privacy;

/**
 * Differentially private training's settings (DP-SGD): every example's gradient clipped to a global norm of
 * {@code clipNorm}, Gaussian noise of {@code noiseMultiplier} times that norm added to each update, each update's batch
 * drawn by Poisson sampling at the rate batch size / examples.
 *
 * @param noiseSeed where the noise and the sampling come from. The guarantee holds only while it is secret: whoever
 *                  knows it can subtract the noise. The training service draws it from {@code SecureRandom} per run
 *                  and keeps it in the run's record only; {@link #toString()} leaves it out, so it reaches no log
 *                  or checkpoint name
 */
public record DpSgd(double clipNorm, double noiseMultiplier, long noiseSeed) {

    public DpSgd {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("a clipping norm is positive and finite, not " + clipNorm);
        }
        if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("a noise multiplier is positive and finite, not " + noiseMultiplier);
        }
    }

    /** What {@code steps} updates at this setting spend on a training set of {@code examples} at {@code batchSize}. */
    public SubsampledGaussian spend(int examples, int batchSize, long steps) {
        return new SubsampledGaussian(samplingRate(examples, batchSize), noiseMultiplier, steps);
    }

    /** The updates a run of {@code epochs} takes: per epoch, as many as shuffled batches of that size would make. */
    public static long updates(int examples, int batchSize, int epochs) {
        return (long) epochs * ((examples + batchSize - 1) / batchSize);
    }

    public static double samplingRate(int examples, int batchSize) {
        return Math.min(1.0, (double) batchSize / examples);
    }

    @Override
    public String toString() {
        return "DpSgd[clipNorm=" + clipNorm + ", noiseMultiplier=" + noiseMultiplier + "]";
    }
}
