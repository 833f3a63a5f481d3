package io.finetide.model.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ROUGE-L as Google's {@code rouge-score} computes it without stemming: both texts lower-cased and cut into runs of
 * ASCII letters and digits (any other character separates, so letters outside ASCII are dropped, as there), and
 * precision, recall and F1 of their longest common subsequence. chrF is the measure for text in other scripts.
 */
public final class RougeL {

    /** Precision (of the prediction), recall (of the target) and their harmonic mean. */
    public record Score(double precision, double recall, double f) {
    }

    private RougeL() {
    }

    public static Score score(String target, String prediction) {
        List<String> t = tokens(target);
        List<String> p = tokens(prediction);
        if (t.isEmpty() || p.isEmpty()) {
            return new Score(0, 0, 0);
        }
        int lcs = longestCommonSubsequence(t, p);
        double precision = (double) lcs / p.size();
        double recall = (double) lcs / t.size();
        double f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        return new Score(precision, recall, f);
    }

    /** The mean F1 over pairs, as summarisation results report it. */
    public static double meanF(List<String> targets, List<String> predictions) {
        if (targets.size() != predictions.size() || targets.isEmpty()) {
            throw new IllegalArgumentException(predictions.size() + " predictions for " + targets.size()
                    + " targets");
        }
        double sum = 0;
        for (int i = 0; i < targets.size(); i++) {
            sum += score(targets.get(i), predictions.get(i)).f();
        }
        return sum / targets.size();
    }

    static List<String> tokens(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
                token.append(c);
            } else if (!token.isEmpty()) {
                out.add(token.toString());
                token.setLength(0);
            }
        }
        if (!token.isEmpty()) {
            out.add(token.toString());
        }
        return out;
    }

    private static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = x.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }
}
