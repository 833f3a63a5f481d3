package io.finetide.model.privacy;

/**
 * What one private training run spends: {@code steps} noisy updates, each on a batch that holds every example with
 * probability {@code samplingRate} (Poisson sampling), with Gaussian noise of standard deviation
 * {@code noiseMultiplier} times the clipping norm.
 */
public record SubsampledGaussian(double samplingRate, double noiseMultiplier, long steps) {

    public SubsampledGaussian {
        if (!(samplingRate >= 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException("a sampling rate is in [0, 1], not " + samplingRate);
        }
        if (!(noiseMultiplier >= 0)) {
            throw new IllegalArgumentException("a noise multiplier is not negative, not " + noiseMultiplier);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps are not negative, not " + steps);
        }
    }
}
