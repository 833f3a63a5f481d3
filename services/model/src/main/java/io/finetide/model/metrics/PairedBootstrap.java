package io.finetide.model.metrics;

import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * A paired bootstrap confidence interval of the difference between two models' figure on the same examples: resample
 * the examples with replacement, score both models on each resample, and take the percentiles of the differences.
 * Seeded, so that a verdict can be reproduced.
 *
 * @param estimate   the difference on all examples (candidate minus champion)
 * @param lower      the interval's lower bound
 * @param upper      the interval's upper bound
 * @param confidence the interval's coverage, e.g. 0.95
 * @param resamples  how many resamples
 */
public record PairedBootstrap(double estimate, double lower, double upper, double confidence, int resamples) {

    /**
     * @param examples  how many paired examples
     * @param candidate the candidate's figure on a sample, given as example indices (repeats allowed)
     * @param champion  the champion's figure on the same sample
     */
    public static PairedBootstrap difference(int examples, ToDoubleFunction<int[]> candidate,
            ToDoubleFunction<int[]> champion, int resamples, double confidence, long seed) {
        if (examples <= 0 || resamples <= 0 || !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("need examples, resamples and a confidence in (0, 1)");
        }
        int[] all = new int[examples];
        Arrays.setAll(all, i -> i);
        double estimate = candidate.applyAsDouble(all) - champion.applyAsDouble(all);
        Random random = new Random(seed);
        double[] differences = new double[resamples];
        int[] sample = new int[examples];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < examples; i++) {
                sample[i] = random.nextInt(examples);
            }
            differences[r] = candidate.applyAsDouble(sample) - champion.applyAsDouble(sample);
        }
        Arrays.sort(differences);
        double alpha = 1 - confidence;
        int lo = (int) Math.floor(alpha / 2 * resamples);
        int hi = (int) Math.ceil((1 - alpha / 2) * resamples) - 1;
        return new PairedBootstrap(estimate, differences[Math.max(0, lo)], differences[Math.min(resamples - 1, hi)],
                confidence, resamples);
    }
}
