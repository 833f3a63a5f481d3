package io.finetide.model.search;

import java.util.Random;

/**
 * An integer parameter's Parzen estimator, as Optuna's discrete truncated normals: kernels fitted on the internal
 * scale (the logarithm for log parameters), a draw rounded to the nearest integer, and an integer's probability the
 * mass of its cell [v - 0.5, v + 0.5], so that l/g compares what can actually be proposed. Points are the integers.
 */
final class DiscreteKernels implements Kernels {

    private final ParzenEstimator estimator;
    private final Scale scale;

    DiscreteKernels(ParzenEstimator estimator, Scale scale) {
        this.estimator = estimator;
        this.scale = scale;
    }

    @Override
    public double[] weights() {
        return estimator.weights();
    }

    @Override
    public double logDensity(int k, double v) {
        return estimator.logMassBetween(k, scale.toInternal(v - 0.5), scale.toInternal(v + 0.5));
    }

    @Override
    public double sample(int k, Random random) {
        return (Integer) scale.fromInternal(estimator.sample(k, random));
    }
}
