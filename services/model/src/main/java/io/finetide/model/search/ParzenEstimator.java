package io.finetide.model.search;

import java.util.Arrays;
import java.util.Random;

import io.finetide.model.stats.Normal;

/**
 * A mixture of Gaussians truncated to [low, high], one per observation plus a wide prior, as the tree-structured
 * Parzen estimator fits it (Bergstra et al. 2011; the bandwidths and weights as Optuna's univariate TPE sets them):
 * each observation's bandwidth is the larger distance to its sorted neighbours, clipped to
 * [(high - low) / min(100, 1 + n), high - low]; the prior sits at the middle with the whole range as bandwidth; older
 * observations weigh less once there are more than 25.
 */
final class ParzenEstimator implements Kernels {

    static final int FULL_WEIGHT_RECENT = 25;

    private final double low;
    private final double high;
    private final double[] weights;
    private final double[] mus;
    private final double[] sigmas;
    private final double[] logMass;

    private ParzenEstimator(double low, double high, double[] weights, double[] mus, double[] sigmas) {
        this.low = low;
        this.high = high;
        this.weights = weights;
        this.mus = mus;
        this.sigmas = sigmas;
        this.logMass = new double[mus.length];
        for (int k = 0; k < mus.length; k++) {
            logMass[k] = Math.log(Math.max(Normal.cdf((high - mus[k]) / sigmas[k]) - Normal.cdf((low - mus[k])
                    / sigmas[k]), 1e-300));
        }
    }

    /** @param observations in the order they were made (oldest first) */
    static ParzenEstimator fit(double[] observations, double low, double high, double priorWeight) {
        int n = observations.length;
        double[] mus = Arrays.copyOf(observations, n + 1);
        mus[n] = 0.5 * (low + high);
        double[] weights = Arrays.copyOf(observationWeights(n), n + 1);
        weights[n] = priorWeight;

        double range = high - low;
        double[] sigmas = new double[n + 1];
        // Each observation's bandwidth is the larger gap to its sorted neighbours, the range's ends standing in for
        // the missing neighbour; the outermost two use their inner gap instead (Optuna's consider_endpoints=False),
        // and the prior takes no part, so a lone observation gets a wide kernel and early studies keep exploring.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(mus[a], mus[b]));
        double[] withEnds = new double[n + 2];
        withEnds[0] = low;
        withEnds[n + 1] = high;
        for (int r = 0; r < n; r++) {
            withEnds[r + 1] = mus[order[r]];
        }
        for (int r = 0; r < n; r++) {
            sigmas[order[r]] = Math.max(withEnds[r + 1] - withEnds[r], withEnds[r + 2] - withEnds[r + 1]);
        }
        if (n >= 2) {
            sigmas[order[0]] = withEnds[2] - withEnds[1];
            sigmas[order[n - 1]] = withEnds[n] - withEnds[n - 1];
        }
        double minSigma = range / Math.min(100.0, 1.0 + (n + 1));
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.min(Math.max(sigmas[i], minSigma), range);
        }
        sigmas[n] = range;
        double total = Arrays.stream(weights).sum();
        for (int i = 0; i <= n; i++) {
            weights[i] /= total;
        }
        return new ParzenEstimator(low, high, weights, mus, sigmas);
    }

    /** Optuna's default: equal up to 25 observations, then a ramp from 1/n up to 1 for all but the newest 25. */
    static double[] observationWeights(int n) {
        double[] w = new double[n];
        if (n <= FULL_WEIGHT_RECENT) {
            Arrays.fill(w, 1);
            return w;
        }
        int ramp = n - FULL_WEIGHT_RECENT;
        for (int i = 0; i < ramp; i++) {
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
        }
        Arrays.fill(w, ramp, n, 1);
        return w;
    }

    double sample(Random random) {
        return sample(Kernels.pick(weights, random), random);
    }

    @Override
    public double[] weights() {
        return weights;
    }

    @Override
    public double logDensity(int k, double x) {
        return Normal.logPdf((x - mus[k]) / sigmas[k]) - Math.log(sigmas[k]) - logMass[k];
    }

    /** The log of kernel k's probability of [a, b], a sub-interval of the range (an integer's cell). */
    double logMassBetween(int k, double a, double b) {
        double mass = Normal.cdf((b - mus[k]) / sigmas[k]) - Normal.cdf((a - mus[k]) / sigmas[k]);
        return Math.log(Math.max(mass, 1e-300)) - logMass[k];
    }

    @Override
    public double sample(int k, Random random) {
        double a = Normal.cdf((low - mus[k]) / sigmas[k]);
        double b = Normal.cdf((high - mus[k]) / sigmas[k]);
        double x = mus[k] + sigmas[k] * Normal.quantile(a + random.nextDouble() * (b - a));
        return Math.min(Math.max(x, low), high);
    }

    double logDensity(double x) {
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[mus.length];
        for (int k = 0; k < mus.length; k++) {
            terms[k] = Math.log(weights[k]) + logDensity(k, x);
            max = Math.max(max, terms[k]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }
}
