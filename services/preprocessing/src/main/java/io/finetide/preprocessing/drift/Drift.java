package io.finetide.preprocessing.drift;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Distances between two distributions given as counts over named bins. Zero proportions are floored at
 * {@link #EPSILON} (then renormalised) so that a bin seen on one side only gives a large but finite figure, the usual
 * convention for the population stability index.
 */
public final class Drift {

    public static final double EPSILON = 1e-4;

    private Drift() {
    }

    /** Population stability index: sum over bins of (p - q) ln(p / q); 0.1 is commonly "moderate", 0.25 "major". */
    public static double psi(Map<String, Long> reference, Map<String, Long> current) {
        Set<String> bins = bins(reference, current);
        double[] p = proportions(current, bins);
        double[] q = proportions(reference, bins);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += (p[i] - q[i]) * Math.log(p[i] / q[i]);
        }
        return sum;
    }

    /** Jensen-Shannon divergence in bits: 0 for equal distributions, 1 for disjoint ones. Unsmoothed (it is finite). */
    public static double jensenShannon(Map<String, Long> reference, Map<String, Long> current) {
        Set<String> bins = bins(reference, current);
        double[] p = raw(current, bins);
        double[] q = raw(reference, bins);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                sum += 0.5 * p[i] * Math.log(p[i] / m);
            }
            if (q[i] > 0) {
                sum += 0.5 * q[i] * Math.log(q[i] / m);
            }
        }
        return sum / Math.log(2);
    }

    private static Set<String> bins(Map<String, Long> a, Map<String, Long> b) {
        Set<String> bins = new LinkedHashSet<>(a.keySet());
        bins.addAll(b.keySet());
        return bins;
    }

    private static double[] raw(Map<String, Long> counts, Set<String> bins) {
        double total = counts.values().stream().mapToLong(Long::longValue).sum();
        double[] out = new double[bins.size()];
        int i = 0;
        for (String b : bins) {
            out[i++] = total == 0 ? 0 : counts.getOrDefault(b, 0L) / total;
        }
        return out;
    }

    private static double[] proportions(Map<String, Long> counts, Set<String> bins) {
        double[] p = raw(counts, bins);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.max(p[i], EPSILON);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
