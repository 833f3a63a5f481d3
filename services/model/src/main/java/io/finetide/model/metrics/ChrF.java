package io.finetide.model.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * chrF (Popović 2015) as sacreBLEU 2 computes it with its defaults: character n-grams of orders 1 to 6 over the text
 * with its whitespace removed, case kept, precision and recall averaged over the orders both sides have, F with β =
 * 2 (recall weighs more), on a 0-100 scale. A corpus's score is computed from the n-gram counts summed over its
 * sentences, not as a mean of sentence scores. Characters are Unicode code points, as Python's.
 */
public final class ChrF {

    public static final int ORDER = 6;
    private static final double BETA = 2;

    private ChrF() {
    }

    public static double sentence(String hypothesis, String reference) {
        return score(statistics(hypothesis, reference));
    }

    public static double corpus(List<String> hypotheses, List<String> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses for " + references.size()
                    + " references");
        }
        long[] total = new long[3 * ORDER];
        for (int i = 0; i < hypotheses.size(); i++) {
            long[] s = statistics(hypotheses.get(i), references.get(i));
            for (int j = 0; j < total.length; j++) {
                total[j] += s[j];
            }
        }
        return score(total);
    }

    /** Per order: hypothesis n-grams, reference n-grams, matched (clipped) n-grams. */
    static long[] statistics(String hypothesis, String reference) {
        int[] h = withoutWhitespace(hypothesis);
        int[] r = withoutWhitespace(reference);
        long[] out = new long[3 * ORDER];
        for (int n = 1; n <= ORDER; n++) {
            Map<String, Integer> hyp = ngrams(h, n);
            Map<String, Integer> ref = ngrams(r, n);
            long matched = 0;
            long hypCount = 0;
            for (Map.Entry<String, Integer> e : hyp.entrySet()) {
                hypCount += e.getValue();
                matched += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
            }
            // A hypothesis's n-grams of an order the reference lacks are not counted (sacreBLEU's rule): in a corpus
            // they would otherwise lower precision for a sentence too short to have any.
            out[3 * (n - 1)] = ref.isEmpty() ? 0 : hypCount;
            out[3 * (n - 1) + 1] = ref.values().stream().mapToLong(Integer::longValue).sum();
            out[3 * (n - 1) + 2] = matched;
        }
        return out;
    }

    static double score(long[] statistics) {
        double factor = BETA * BETA;
        double precision = 0;
        double recall = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < ORDER; i++) {
            long hyp = statistics[3 * i];
            long ref = statistics[3 * i + 1];
            long matched = statistics[3 * i + 2];
            // An order one side lacks is left out of the averages (sacreBLEU's effective order).
            if (hyp > 0 && ref > 0) {
                precision += (double) matched / hyp;
                recall += (double) matched / ref;
                effectiveOrder++;
            }
        }
        if (effectiveOrder == 0) {
            return 0;
        }
        precision /= effectiveOrder;
        recall /= effectiveOrder;
        if (precision + recall == 0) {
            return 0;
        }
        return 100 * (1 + factor) * precision * recall / (factor * precision + recall);
    }

    private static Map<String, Integer> ngrams(int[] codePoints, int n) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= codePoints.length; i++) {
            out.merge(new String(codePoints, i, n), 1, Integer::sum);
        }
        return out;
    }

    /** The text's code points with every whitespace character dropped (Python's {@code ''.join(s.split())}). */
    static int[] withoutWhitespace(String text) {
        return text.codePoints().filter(c -> !Whitespace.is(c)).toArray();
    }
}
