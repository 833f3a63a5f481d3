package io.finetide.model.generate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import io.finetide.model.stats.Softmax;

/** Next-token distributions from logits: log-probabilities, and sampling's filters and draw. */
final class Distributions {

    private Distributions() {
    }

    /** log softmax(logits), in double precision. */
    static double[] logProbabilities(float[] logits) {
        double log = Softmax.logSumExp(logits);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - log;
        }
        return out;
    }

    /** The first index of the largest value (as torch's argmax). */
    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The probabilities sampling draws from, in Hugging Face's order: logits divided by the temperature, then only the
     * k most likely tokens kept, then only the most likely tokens whose probabilities reach {@code topP} together (at
     * least one); the rest get 0.
     */
    static double[] filtered(float[] logits, double temperature, int topK, double topP) {
        int n = logits.length;
        float[] scaled = new float[n];
        for (int i = 0; i < n; i++) {
            scaled[i] = (float) (logits[i] / temperature);
        }
        double[] p = logProbabilities(scaled);
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(p[i]);
        }
        boolean cutK = topK > 0 && topK < n;
        if (!cutK && topP >= 1) {
            return p;
        }
        // Only the kept tokens are ordered: k of them, or all when top-p alone cuts.
        Integer[] byProbability = IntStream.of(cutK ? largest(p, topK) : IntStream.range(0, n).toArray()).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(byProbability, Comparator.comparingDouble((Integer i) -> -p[i]));
        double kept = 0;
        for (Integer i : byProbability) {
            kept += p[i];
        }
        // Top-p over the top-k tokens renormalised, as the warpers run one after the other.
        double cumulative = 0;
        int nucleus = 0;
        while (nucleus < byProbability.length) {
            cumulative += p[byProbability[nucleus]] / kept;
            nucleus++;
            if (cumulative >= topP) {
                break;
            }
        }
        double[] out = new double[n];
        double total = 0;
        for (int r = 0; r < nucleus; r++) {
            total += p[byProbability[r]];
        }
        for (int r = 0; r < nucleus; r++) {
            out[byProbability[r]] = p[byProbability[r]] / total;
        }
        return out;
    }

    /** A token drawn from {@code probabilities}. */
    static int draw(double[] probabilities, SplittableRandom random) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < probabilities.length; i++) {
            if (probabilities[i] > 0) {
                cumulative += probabilities[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    /** The indices of the {@code k} largest values, in no particular order (a bounded heap: one pass). */
    static int[] largest(double[] values, int k) {
        int n = Math.min(k, values.length);
        PriorityQueue<Integer> heap = new PriorityQueue<>(n, Comparator.comparingDouble(
                (Integer i) -> values[i]).thenComparing(Comparator.reverseOrder()));
        for (int i = 0; i < values.length; i++) {
            if (heap.size() < n) {
                heap.add(i);
            } else if (values[i] > values[heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        return heap.stream().mapToInt(Integer::intValue).toArray();
    }
}
