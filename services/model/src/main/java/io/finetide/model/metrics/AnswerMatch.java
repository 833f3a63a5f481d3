package io.finetide.model.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Exact match and token F1 of a generated answer against its reference, after the SQuAD evaluation's normalisation:
 * lower case, punctuation removed, the articles a, an and the removed, whitespace collapsed. Token F1 counts the
 * words both share (each as often as the fewer of its two counts).
 */
public final class AnswerMatch {

    private static final Set<String> ARTICLES = Set.of("a", "an", "the");

    private AnswerMatch() {
    }

    public static boolean exact(String reference, String prediction) {
        return words(reference).equals(words(prediction));
    }

    public static double tokenF1(String reference, String prediction) {
        List<String> r = words(reference);
        List<String> p = words(prediction);
        if (r.isEmpty() || p.isEmpty()) {
            // As SQuAD 2.0's script: two empty answers agree; one empty one shares nothing.
            return r.isEmpty() && p.isEmpty() ? 1 : 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        r.forEach(w -> counts.merge(w, 1, Integer::sum));
        int common = 0;
        for (String w : p) {
            Integer left = counts.get(w);
            if (left != null && left > 0) {
                common++;
                counts.put(w, left - 1);
            }
        }
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / p.size();
        double recall = (double) common / r.size();
        return 2 * precision * recall / (precision + recall);
    }

    static List<String> words(String text) {
        StringBuilder kept = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (!isPunctuation(c)) {
                kept.appendCodePoint(c);
            }
        });
        List<String> out = new ArrayList<>();
        for (String w : kept.toString().split("\\s+")) {
            if (!w.isEmpty() && !ARTICLES.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    /** Python's {@code string.punctuation}: the ASCII punctuation characters. */
    private static boolean isPunctuation(int c) {
        return c < 128 && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".indexOf(c) >= 0;
    }
}
