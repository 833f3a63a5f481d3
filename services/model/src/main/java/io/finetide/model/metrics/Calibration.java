package io.finetide.model.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * How far a classifier's probabilities are from the frequencies they claim.
 *
 * @param ece     expected calibration error: over {@code bins} equal-width bins of top-class probability, the
 *                examples' share of each bin times the gap between its accuracy and its mean confidence
 * @param brier   multi-class Brier score: the mean over examples of the squared distance between the probability
 *                vector and the one-hot truth (0 is perfect, 2 the worst)
 * @param logLoss mean negative log-probability of the true label (probabilities clipped at 1e-15)
 * @param reliability per bin: mean confidence, accuracy and count (the reliability diagram; NaN for an empty bin)
 */
public record Calibration(double ece, double brier, double logLoss, int bins, List<Bin> reliability) {

    public record Bin(double confidence, double accuracy, long count) {
    }

    private static final double EPS = 1e-15;

    /** @param probabilities per example, a distribution over the labels; {@code labels} the true label indices */
    public static Calibration of(double[][] probabilities, int[] labels, int bins) {
        if (probabilities.length != labels.length || probabilities.length == 0 || bins <= 0) {
            throw new IllegalArgumentException("need as many probability vectors as labels, and bins");
        }
        int n = labels.length;
        double[] binConfidence = new double[bins];
        double[] binCorrect = new double[bins];
        long[] binCount = new long[bins];
        double brier = 0;
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            double[] p = probabilities[i];
            int top = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[top]) {
                    top = k;
                }
            }
            // A confidence of exactly 1 belongs to the last bin, (1 - 1/bins, 1].
            int bin = Math.min(bins - 1, (int) Math.ceil(p[top] * bins) - 1);
            bin = Math.max(0, bin);
            binConfidence[bin] += p[top];
            binCorrect[bin] += top == labels[i] ? 1 : 0;
            binCount[bin]++;
            for (int k = 0; k < p.length; k++) {
                double y = k == labels[i] ? 1 : 0;
                brier += (p[k] - y) * (p[k] - y);
            }
            logLoss -= Math.log(Math.max(EPS, p[labels[i]]));
        }
        double ece = 0;
        List<Bin> reliability = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            double confidence = binCount[b] == 0 ? Double.NaN : binConfidence[b] / binCount[b];
            double accuracy = binCount[b] == 0 ? Double.NaN : binCorrect[b] / binCount[b];
            if (binCount[b] > 0) {
                ece += binCount[b] / (double) n * Math.abs(accuracy - confidence);
            }
            reliability.add(new Bin(confidence, accuracy, binCount[b]));
        }
        return new Calibration(ece, brier / n, logLoss / n, bins, List.copyOf(reliability));
    }
}
