package io.finetide.model.search;

import java.util.List;
import java.util.Random;

/**
 * The multivariate Parzen estimator: dimensions fitted on the same observations, so kernel k of each belongs to
 * observation k (the prior last), mixed with one set of weights. Its density is Σ_k w_k Π_d p_kd(x_d): it keeps
 * what goes together (a strategy and the learning rate it likes), which a product of univariate estimators loses.
 */
final class ProductMixture {

    private final List<Kernels> dims;
    private final double[] weights;

    ProductMixture(List<Kernels> dims) {
        this.dims = List.copyOf(dims);
        this.weights = dims.get(0).weights();
    }

    double[] sample(Random random) {
        int k = Kernels.pick(weights, random);
        double[] x = new double[dims.size()];
        for (int d = 0; d < x.length; d++) {
            x[d] = dims.get(d).sample(k, random);
        }
        return x;
    }

    double logDensity(double[] x) {
        double[] terms = new double[weights.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < weights.length; k++) {
            double t = Math.log(weights[k]);
            for (int d = 0; d < x.length; d++) {
                t += dims.get(d).logDensity(k, x[d]);
            }
            terms[k] = t;
            max = Math.max(max, t);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }
}
