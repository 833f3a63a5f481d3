package io.finetide.evaluation.judging;

import java.util.Arrays;
import java.util.List;

import io.finetide.proto.v1.ServingCost;

/**
 * What serving the candidate and the champion costs, measured in one evaluation on the same examples: the size of
 * each, the time per example of the whole test set in batches (the evaluation's own predictions), and the latency of
 * one example per call, the two models taking turns on each probe so that whatever else the machine does falls on
 * both alike.
 */
public final class ServingCosts {

    /** Single-example calls per model: enough for a median and a rough 95th percentile. */
    public static final int PROBES = 21;

    /** @param champion null without a champion */
    public record Measured(ServingCost candidate, ServingCost champion) {
    }

    private ServingCosts() {
    }

    /**
     * @param candidateNanos the candidate's time over all {@code examples} in its batches
     * @param champion       null without a champion
     */
    public static Measured measure(List<JudgedExample> examples, JudgedModel candidate, long candidateNanos,
            JudgedModel champion, long championNanos) {
        int probes = examples.isEmpty() ? 0 : PROBES;
        double[] ours = new double[probes];
        double[] theirs = new double[champion == null ? 0 : probes];
        for (int k = 0; k < probes; k++) {
            List<JudgedExample> one = List.of(examples.get(k % examples.size()));
            ours[k] = millis(candidate, one);
            if (champion != null) {
                theirs[k] = millis(champion, one);
            }
        }
        return new Measured(cost(candidate, ours, candidateNanos, examples.size()), champion == null
                ? null
                : cost(champion, theirs, championNanos, examples.size()));
    }

    private static double millis(JudgedModel model, List<JudgedExample> one) {
        long start = System.nanoTime();
        model.predict(one);
        return (System.nanoTime() - start) / 1e6;
    }

    static ServingCost cost(JudgedModel model, double[] latencies, long batchNanos, int examples) {
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return ServingCost.newBuilder().setParameters(model.bundle().config().parameterCount()).setBundleBytes(model
                .bundleBytes()).setLatencyMsP50(percentile(sorted, 0.50)).setLatencyMsP95(percentile(sorted, 0.95))
                .setProbes(sorted.length).setBatchMsPerExample(examples == 0 ? 0 : batchNanos / 1e6 / examples)
                .build();
    }

    /** The nearest-rank percentile of sorted values; 0 for none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
