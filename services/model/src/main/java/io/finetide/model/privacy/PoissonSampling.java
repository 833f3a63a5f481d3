package io.finetide.model.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * DP-SGD's batches: each update's batch holds every example independently with probability q, so its size varies
 * around q N and may be empty. That independence is what the accountant's amplification by sampling assumes; shuffled
 * fixed-size batches would need another analysis. The draws come from the run's secret noise seed and the update's
 * index, so a resumed run draws the same batches and an observer cannot tell which examples a batch held.
 */
public final class PoissonSampling {

    private PoissonSampling() {
    }

    /** The batch of update {@code update}: example indices in increasing order. */
    public static int[] batch(long noiseSeed, long update, int examples, double q) {
        if (q >= 1) {
            int[] all = new int[examples];
            for (int i = 0; i < examples; i++) {
                all[i] = i;
            }
            return all;
        }
        SplittableRandom random = new SplittableRandom(
                noiseSeed ^ (update * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
        List<Integer> chosen = new ArrayList<>();
        // Geometric gaps between chosen examples: the same distribution as a coin per example, in O(q N) draws.
        double logNotChosen = Math.log1p(-q);
        long i = -1;
        while (true) {
            double u = 1 - random.nextDouble();
            i += 1 + (long) Math.floor(Math.log(u) / logNotChosen);
            if (i >= examples) {
                break;
            }
            chosen.add((int) i);
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }
}
