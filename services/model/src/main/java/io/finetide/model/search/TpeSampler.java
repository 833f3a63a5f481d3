package io.finetide.model.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011), univariate, with Optuna's defaults: the first {@code startupTrials} are random; then,
 * for each active parameter in turn, the finished trials that had it are split into the best {@code min(ceil(0.1 n),
 * 25)} and the rest, a Parzen estimator l is fitted to the first and g to the second, {@code candidates} values are
 * drawn from l and the one with the largest l/g is proposed. A conditional parameter learns only from the trials in
 * which it was active, which is what makes the estimator tree-structured. Earlier trials (of this study, or a previous
 * study on the same task: a warm start) are simply part of {@code finished}.
 */
public final class TpeSampler implements Sampler {

    private final int startupTrials;
    private final int candidates;
    private final double priorWeight;

    public TpeSampler(int startupTrials, int candidates, double priorWeight) {
        this.startupTrials = startupTrials;
        this.candidates = candidates;
        this.priorWeight = priorWeight;
    }

    /** Optuna's defaults: 10 random trials, 24 candidates, prior weight 1. */
    public static TpeSampler withDefaults() {
        return new TpeSampler(10, 24, 1.0);
    }

    @Override
    public Map<String, Object> propose(SearchSpace space, List<Observation> finished, Random random) {
        if (finished.size() < startupTrials) {
            return new RandomSampler().propose(space, finished, random);
        }
        // The split into good and the rest is made once over all finished trials, as Optuna makes it; each
        // parameter then learns from the trials of either group in which it was active.
        boolean[] good = goodTrials(finished);
        Map<String, Object> chosen = new LinkedHashMap<>();
        for (Parameter p : space.parameters()) {
            if (!SearchSpace.active(p, chosen)) {
                continue;
            }
            List<Observation> below = new ArrayList<>(), above = new ArrayList<>();
            for (int i = 0; i < finished.size(); i++) {
                if (finished.get(i).parameters().containsKey(p.name())) {
                    (good[i] ? below : above).add(finished.get(i));
                }
            }
            chosen.put(p.name(), below.isEmpty() && above.isEmpty()
                    ? RandomSampler.draw(p, random)
                    : propose(p, below, above, random));
        }
        return chosen;
    }

    /** The best {@code min(ceil(0.1 n), 25)} trials, marked in the trials' own order. */
    private static boolean[] goodTrials(List<Observation> finished) {
        int n = finished.size();
        int below = Math.min((int) Math.ceil(0.1 * n), 25);
        List<Integer> ranked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ranked.add(i);
        }
        ranked.sort(Comparator.comparingDouble(i -> finished.get(i).value()));
        boolean[] good = new boolean[n];
        ranked.subList(0, below).forEach(i -> good[i] = true);
        return good;
    }

    private Object propose(Parameter p, List<Observation> good, List<Observation> rest, Random random) {
        if (p instanceof Parameter.Categorical c) {
            return categorical(c, good, rest, random);
        }
        Scale s = Scale.of(p);
        ParzenEstimator l = ParzenEstimator.fit(internal(s, p, good), s.low(), s.high(), priorWeight);
        ParzenEstimator g = ParzenEstimator.fit(internal(s, p, rest), s.low(), s.high(), priorWeight);
        double best = Double.NaN, bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates; i++) {
            double x = l.sample(random);
            double score = l.logDensity(x) - g.logDensity(x);
            if (score > bestScore) {
                bestScore = score;
                best = x;
            }
        }
        return s.fromInternal(best);
    }

    private static double[] internal(Scale s, Parameter p, List<Observation> group) {
        return group.stream().mapToDouble(o -> s.toInternal(o.parameters().get(p.name()))).toArray();
    }

    /** Choice probabilities from weighted counts plus the prior spread evenly; the choice with the largest l/g. */
    private Object categorical(Parameter.Categorical c, List<Observation> good, List<Observation> rest,
            Random random) {
        double[] l = choiceWeights(c, good), g = choiceWeights(c, rest);
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates; i++) {
            int k = draw(l, random);
            double score = Math.log(l[k]) - Math.log(g[k]);
            if (score > bestScore) {
                bestScore = score;
                best = c.choices().get(k);
            }
        }
        return best;
    }

    /**
     * Optuna's categorical Parzen estimator: each observation a kernel putting 1 on its choice and
     * {@code priorWeight / (n + 1)} on every choice, normalised; the prior a uniform kernel; kernels weighted as
     * {@link ParzenEstimator#observationWeights} and the prior by {@code priorWeight}.
     */
    private double[] choiceWeights(Parameter.Categorical c, List<Observation> group) {
        int k = c.choices().size(), n = group.size();
        double[] mixture = new double[k];
        double[] ages = ParzenEstimator.observationWeights(n);
        double spread = priorWeight / (n + 1);
        double total = priorWeight;
        for (int i = 0; i < n; i++) {
            int observed = c.choices().indexOf((String) group.get(i).parameters().get(c.name()));
            double rowSum = 1 + spread * k;
            for (int j = 0; j < k; j++) {
                mixture[j] += ages[i] * (spread + (j == observed ? 1 : 0)) / rowSum;
            }
            total += ages[i];
        }
        for (int j = 0; j < k; j++) {
            mixture[j] = (mixture[j] + priorWeight / k) / total;
        }
        return mixture;
    }

    private static int draw(double[] probabilities, Random random) {
        double u = random.nextDouble(), cumulative = 0;
        for (int j = 0; j < probabilities.length; j++) {
            cumulative += probabilities[j];
            if (u < cumulative) {
                return j;
            }
        }
        return probabilities.length - 1;
    }
}
