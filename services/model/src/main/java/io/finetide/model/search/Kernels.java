package io.finetide.model.search;

import java.util.Random;

/**
 * One dimension of a Parzen estimator as a weighted set of kernels, one per observation and the prior last: each
 * kernel's density at a point and a draw from it. Kept apart from the mixture so that several dimensions can share
 * one set of weights (the multivariate estimator is a mixture of products: kernel k of every dimension together).
 */
interface Kernels {

    /** The kernels' mixture weights, summing to 1. */
    double[] weights();

    double logDensity(int k, double x);

    double sample(int k, Random random);

    /** A kernel drawn by weight. */
    static int pick(double[] weights, Random random) {
        double u = random.nextDouble();
        int k = 0;
        double cumulative = weights[0];
        while (cumulative < u && k < weights.length - 1) {
            k++;
            cumulative += weights[k];
        }
        return k;
    }
}
