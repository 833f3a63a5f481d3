package io.finetide.ingestion.labeling;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chance-corrected agreement between annotators. Both return {@code NaN} when chance agreement is 1 (every rating
 * the same category): kappa is undefined there, and reporting 1 or 0 would both mislead.
 */
public final class Agreement {

    private Agreement() {
    }

    /** Cohen's kappa of two annotators' labels of the same items ({@code a.get(i)} and {@code b.get(i)}). */
    public static double cohen(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("both annotators must rate the same items: " + a.size() + " vs "
                    + b.size());
        }
        int n = a.size();
        if (n == 0) {
            return Double.NaN;
        }
        Map<String, Integer> countA = new HashMap<>();
        Map<String, Integer> countB = new HashMap<>();
        int agree = 0;
        for (int i = 0; i < n; i++) {
            countA.merge(a.get(i), 1, Integer::sum);
            countB.merge(b.get(i), 1, Integer::sum);
            if (a.get(i).equals(b.get(i))) {
                agree++;
            }
        }
        double observed = (double) agree / n;
        double chance = 0;
        Set<String> categories = new HashSet<>(countA.keySet());
        categories.addAll(countB.keySet());
        for (String c : categories) {
            chance += (countA.getOrDefault(c, 0) / (double) n) * (countB.getOrDefault(c, 0) / (double) n);
        }
        return chance >= 1.0 ? Double.NaN : (observed - chance) / (1 - chance);
    }

    /**
     * Fleiss' kappa: {@code counts.get(i)} says how many raters put item i in each category; every item has the
     * same number of raters (at least 2).
     */
    public static double fleiss(List<Map<String, Integer>> counts) {
        if (counts.isEmpty()) {
            return Double.NaN;
        }
        int raters = counts.get(0).values().stream().mapToInt(Integer::intValue).sum();
        if (raters < 2) {
            throw new IllegalArgumentException("Fleiss' kappa needs at least 2 raters per item");
        }
        Map<String, Double> categoryTotals = new HashMap<>();
        double meanAgreement = 0;
        for (Map<String, Integer> item : counts) {
            int n = item.values().stream().mapToInt(Integer::intValue).sum();
            if (n != raters) {
                throw new IllegalArgumentException("every item needs " + raters + " ratings, one has " + n);
            }
            double pairs = 0;
            for (Map.Entry<String, Integer> e : item.entrySet()) {
                pairs += (double) e.getValue() * (e.getValue() - 1);
                categoryTotals.merge(e.getKey(), (double) e.getValue(), Double::sum);
            }
            meanAgreement += pairs / ((double) raters * (raters - 1));
        }
        meanAgreement /= counts.size();
        double chance = 0;
        double all = (double) counts.size() * raters;
        for (double total : categoryTotals.values()) {
            chance += (total / all) * (total / all);
        }
        return chance >= 1.0 ? Double.NaN : (meanAgreement - chance) / (1 - chance);
    }
}
