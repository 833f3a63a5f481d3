package io.finetide.model.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How much of the objective's variation each parameter accounts for, by the correlation ratio η² (Pearson): the
 * trials in which a parameter was active are grouped by its value (each choice of a categorical parameter; numeric
 * ones in up to {@value #BINS} bins of equal count by rank), and η² is the between-group sum of squares over the total.
 * The figures are then scaled to sum to 1, as Optuna reports fANOVA's. Simpler than fANOVA and blind to interactions:
 * a parameter that only matters together with another is under-rated.
 */
public final class Importance {

    static final int BINS = 4;

    private Importance() {
    }

    /** Each parameter's share, largest first; empty with fewer than three observations. */
    public static Map<String, Double> of(SearchSpace space, List<Observation> observations) {
        Map<String, Double> raw = new LinkedHashMap<>();
        if (observations.size() < 3) {
            return raw;
        }
        for (Parameter p : space.parameters()) {
            List<Observation> had = observations.stream().filter(o -> o.parameters().containsKey(p.name())).toList();
            raw.put(p.name(), had.size() < 3 ? 0.0 : etaSquared(p, had));
        }
        double total = raw.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        raw.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).forEach(e -> out.put(e
                .getKey(), total > 0 ? e.getValue() / total : 0.0));
        return out;
    }

    static double etaSquared(Parameter p, List<Observation> had) {
        List<Integer> group = groups(p, had);
        double mean = had.stream().mapToDouble(Observation::value).average().orElseThrow();
        double totalSquares = had.stream().mapToDouble(o -> Math.pow(o.value() - mean, 2)).sum();
        if (totalSquares == 0) {
            return 0;
        }
        Map<Integer, double[]> sums = new LinkedHashMap<>(); // group -> {count, sum}
        for (int i = 0; i < had.size(); i++) {
            double[] s = sums.computeIfAbsent(group.get(i), g -> new double[2]);
            s[0]++;
            s[1] += had.get(i).value();
        }
        double between = sums.values().stream().mapToDouble(s -> s[0] * Math.pow(s[1] / s[0] - mean, 2)).sum();
        return between / totalSquares;
    }

    private static List<Integer> groups(Parameter p, List<Observation> had) {
        List<Integer> out = new ArrayList<>();
        if (p instanceof Parameter.Categorical c) {
            had.forEach(o -> out.add(c.choices().indexOf((String) o.parameters().get(c.name()))));
            return out;
        }
        List<Integer> byValue = new ArrayList<>();
        for (int i = 0; i < had.size(); i++) {
            byValue.add(i);
        }
        byValue.sort(Comparator.comparingDouble(i -> ((Number) had.get(i).parameters().get(p.name()))
                .doubleValue()));
        int bins = Math.min(BINS, had.size());
        Integer[] bin = new Integer[had.size()];
        for (int rank = 0; rank < byValue.size(); rank++) {
            bin[byValue.get(rank)] = rank * bins / byValue.size();
        }
        // Equal values share a bin, so that a parameter whose trials all took one value explains nothing.
        for (int rank = 1; rank < byValue.size(); rank++) {
            int i = byValue.get(rank), prev = byValue.get(rank - 1);
            if (Objects.equals(had.get(i).parameters().get(p.name()), had.get(prev).parameters().get(p.name()))) {
                bin[i] = bin[prev];
            }
        }
        return List.of(bin);
    }
}
