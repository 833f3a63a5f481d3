package io.finetide.model.privacy;

import java.util.List;

import io.finetide.model.stats.Normal;

/**
 * Rényi differential privacy of DP-SGD: the Poisson-subsampled Gaussian mechanism's RDP at a fixed set of orders
 * (Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", 2019: the exact sum for
 * integer orders, the two-sided series of their section 3.3 for fractional ones), composed by adding up per order, and
 * converted to (ε, δ) by the bound of Balle et al. 2020 (Proposition 12 of arXiv 2004.00010). The orders and the
 * conversion are those of Google's dp-accounting, against which {@code RdpAccountantTest} checks a table of cases.
 *
 * <p>
 * Composition is why the accountant keeps RDP and not ε: runs of different sampling rates, noise and lengths on one
 * task's data add up exactly per order, and the task's total ε comes from the sum, far below the sum of the runs' ε.
 */
public final class RdpAccountant {

    /** dp-accounting's default orders: 1.1 to 10.9 in tenths, 11 to 63, then 128 to 1024. */
    static final double[] ORDERS = orders();

    private static final int MAX_SERIES_TERMS = 1000;

    private RdpAccountant() {
    }

    /** (ε, δ) of a composition, with the Rényi order that gave the ε. */
    public record Guarantee(double epsilon, double delta, double order) {
    }

    /** The RDP, per order of {@link #ORDERS}, of all {@code runs} composed. */
    public static double[] rdp(List<SubsampledGaussian> runs) {
        double[] total = new double[ORDERS.length];
        for (SubsampledGaussian run : runs) {
            if (run.steps() == 0) {
                continue;
            }
            for (int k = 0; k < ORDERS.length; k++) {
                total[k] += run.steps() * rdpOfOneStep(run.samplingRate(), run.noiseMultiplier(), ORDERS[k]);
            }
        }
        return total;
    }

    public static Guarantee guarantee(List<SubsampledGaussian> runs, double delta) {
        return guarantee(rdp(runs), delta);
    }

    public static double epsilon(List<SubsampledGaussian> runs, double delta) {
        return guarantee(runs, delta).epsilon();
    }

    /** The smallest ε over the orders for which the composition is (ε, δ)-DP. */
    public static Guarantee guarantee(double[] rdp, double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("δ is in (0, 1), not " + delta);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = ORDERS[0];
        for (int k = 0; k < ORDERS.length; k++) {
            double a = ORDERS[k];
            double r = rdp[k];
            double eps;
            if (r < 0 || delta * delta + Math.expm1(-r) > 0) {
                // r < 0 is rounding; a small KL divergence bounds δ by sqrt(1 - exp(-KL)) directly.
                eps = 0;
            } else if (a > 1.01) {
                eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
            } else {
                eps = Double.POSITIVE_INFINITY;
            }
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new Guarantee(Math.max(0, best), delta, bestOrder);
    }

    /** One step's RDP at order {@code alpha}; infinite where the series does not converge (that order is skipped). */
    static double rdpOfOneStep(double q, double sigma, double alpha) {
        if (q == 0) {
            return 0;
        }
        if (sigma == 0 || Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) ? logAInteger(q, sigma, (int) alpha) : logAFractional(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** log A_α = log Σ_i C(α, i) q^i (1-q)^(α-i) exp((i² - i) / 2σ²), the exact finite sum. */
    private static double logAInteger(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double logComb = 0;
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logComb += Math.log(alpha - i + 1) - Math.log(i);
            }
            double term = logComb + i * logQ + (alpha - i) * log1mQ + (double) (i * (long) i - i) / (2 * sigma
                    * sigma);
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /**
     * The fractional order's A_α as two series split at z0 = σ² log(1/q - 1) + 1/2, summed until both terms fall and
     * are negligible; binomial coefficients of a real α enter by absolute value, as in the reference.
     */
    private static double logAFractional(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double lastS0 = Double.NEGATIVE_INFINITY;
        double lastS1 = Double.NEGATIVE_INFINITY;
        double logComb = 0;
        double twoSigmaSq = 2 * sigma * sigma;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        for (int i = 0; i < MAX_SERIES_TERMS; i++) {
            if (i > 0) {
                logComb += Math.log(Math.abs(alpha - i + 1)) - Math.log(i);
            }
            double j = alpha - i;
            double logT0 = logComb + i * logQ + j * log1mQ;
            double logT1 = logComb + j * logQ + i * log1mQ;
            double logE0 = Math.log(0.5) + Normal.logErfc((i - z0) / sqrt2Sigma);
            double logE1 = Math.log(0.5) + Normal.logErfc((z0 - j) / sqrt2Sigma);
            double logS0 = logT0 + ((double) i * i - i) / twoSigmaSq + logE0;
            double logS1 = logT1 + (j * j - j) / twoSigmaSq + logE1;
            logA0 = logAdd(logA0, logS0);
            logA1 = logAdd(logA1, logS1);
            double total = logAdd(logA0, logA1);
            if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < total - 30) {
                return total;
            }
            lastS0 = logS0;
            lastS1 = logS1;
        }
        return Double.POSITIVE_INFINITY;
    }

    private static double logAdd(double logX, double logY) {
        double a = Math.min(logX, logY);
        double b = Math.max(logX, logY);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }

    private static double[] orders() {
        double[] orders = new double[99 + 53 + 4];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            orders[k++] = 1 + x / 10.0;
        }
        for (int a = 11; a < 64; a++) {
            orders[k++] = a;
        }
        for (int a : new int[]{128, 256, 512, 1024}) {
            orders[k++] = a;
        }
        return orders;
    }
}
