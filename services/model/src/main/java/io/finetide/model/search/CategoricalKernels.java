package io.finetide.model.search;

import java.util.Random;

/**
 * Optuna's categorical Parzen estimator: each observation a kernel putting 1 on its choice and
 * {@code priorWeight / (n + 1)} on every choice, normalised; the prior a uniform kernel; kernels weighted as
 * {@link ParzenEstimator#observationWeights} and the prior by {@code priorWeight}. Points are choice indices.
 */
final class CategoricalKernels implements Kernels {

    private final double[] weights;
    private final double[][] rows;

    private CategoricalKernels(double[] weights, double[][] rows) {
        this.weights = weights;
        this.rows = rows;
    }

    /** @param observed choice indices, oldest first */
    static CategoricalKernels fit(int[] observed, int choices, double priorWeight) {
        int n = observed.length;
        double[][] rows = new double[n + 1][choices];
        double spread = priorWeight / (n + 1);
        for (int i = 0; i < n; i++) {
            double rowSum = 1 + spread * choices;
            for (int j = 0; j < choices; j++) {
                rows[i][j] = (spread + (j == observed[i] ? 1 : 0)) / rowSum;
            }
        }
        java.util.Arrays.fill(rows[n], 1.0 / choices);
        double[] weights = java.util.Arrays.copyOf(ParzenEstimator.observationWeights(n), n + 1);
        weights[n] = priorWeight;
        double total = java.util.Arrays.stream(weights).sum();
        for (int k = 0; k <= n; k++) {
            weights[k] /= total;
        }
        return new CategoricalKernels(weights, rows);
    }

    @Override
    public double[] weights() {
        return weights;
    }

    @Override
    public double logDensity(int k, double x) {
        return Math.log(rows[k][(int) x]);
    }

    @Override
    public double sample(int k, Random random) {
        return Kernels.pick(rows[k], random);
    }

    /** The mixture's probability of each choice. */
    double[] probabilities() {
        double[] p = new double[rows[0].length];
        for (int k = 0; k < rows.length; k++) {
            for (int j = 0; j < p.length; j++) {
                p[j] += weights[k] * rows[k][j];
            }
        }
        return p;
    }
}
