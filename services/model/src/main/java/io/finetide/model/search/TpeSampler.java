package io.finetide.model.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011) with Optuna 5's defaults: the first {@code startupTrials} are random; then the finished
 * trials are split into the best {@code min(ceil(0.1 n), 25)} and the rest, a Parzen estimator l is fitted to the
 * first and g to the second, {@code candidates} points are drawn from l and the one with the largest l/g is proposed.
 * Multivariate (Optuna's default since 5.0; Falkner, Klein and Hutter, BOHB, ICML 2018): the parameters every finished
 * trial had are drawn together from one mixture of products, so that values that go well together are proposed
 * together; the others (conditional ones), and every parameter when univariate, one by one. A conditional parameter learns only from the trials in
 * which it was active, which is what makes the estimator tree-structured. Earlier trials (of this study, or a previous
 * study on the same task: a warm start) are simply part of {@code finished}.
 */
public final class TpeSampler implements Sampler {

    private final int startupTrials;
    private final int candidates;
    private final double priorWeight;
    private final boolean multivariate;

    public TpeSampler(int startupTrials, int candidates, double priorWeight, boolean multivariate) {
        this.startupTrials = startupTrials;
        this.candidates = candidates;
        this.priorWeight = priorWeight;
        this.multivariate = multivariate;
    }

    /** Optuna 5's defaults: multivariate, 10 random trials, 24 candidates, prior weight 1. */
    public static TpeSampler withDefaults() {
        return new TpeSampler(10, 24, 1.0, true);
    }

    /** Optuna's defaults before 5.0: each parameter on its own. */
    public static TpeSampler univariate() {
        return new TpeSampler(10, 24, 1.0, false);
    }

    @Override
    public Map<String, Object> propose(SearchSpace space, List<Observation> finished, Random random) {
        if (finished.size() < startupTrials) {
            return new RandomSampler().propose(space, finished, random);
        }
        // The split into good and the rest is made once over all finished trials, as Optuna makes it; each
        // estimator then learns from the trials of either group that had its parameters.
        boolean[] good = goodTrials(finished);
        Map<String, Object> joint = multivariate
                ? propose(shared(space, finished), finished, good, random)
                : Map.of();
        Map<String, Object> chosen = new LinkedHashMap<>();
        for (Parameter p : space.parameters()) {
            if (SearchSpace.active(p, chosen)) {
                chosen.put(p.name(), joint.containsKey(p.name())
                        ? joint.get(p.name())
                        : propose(List.of(p), finished, good, random).get(p.name()));
            }
        }
        return chosen;
    }

    /** The parameters every finished trial had (Optuna's intersection search space), single values left out. */
    private static List<Parameter> shared(SearchSpace space, List<Observation> finished) {
        return space.parameters().stream().filter(p -> !single(p)).filter(p -> finished.stream().allMatch(o -> o
                .parameters().containsKey(p.name()))).toList();
    }

    private static boolean single(Parameter p) {
        return p instanceof Parameter.Categorical c && c.choices().size() == 1
                || p instanceof Parameter.Discrete d && d.low() == d.high();
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

    /** Values of {@code ps} drawn together: the candidate from l with the largest l/g. */
    private Map<String, Object> propose(List<Parameter> ps, List<Observation> finished, boolean[] good,
            Random random) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (ps.isEmpty()) {
            return out;
        }
        List<Observation> below = new ArrayList<>(), above = new ArrayList<>();
        for (int i = 0; i < finished.size(); i++) {
            Observation o = finished.get(i);
            if (ps.stream().allMatch(p -> o.parameters().containsKey(p.name()))) {
                (good[i] ? below : above).add(o);
            }
        }
        if (below.isEmpty() && above.isEmpty()) {
            ps.forEach(p -> out.put(p.name(), RandomSampler.draw(p, random)));
            return out;
        }
        ProductMixture l = mixture(ps, below), g = mixture(ps, above);
        double[] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates; i++) {
            double[] x = l.sample(random);
            double score = l.logDensity(x) - g.logDensity(x);
            if (score > bestScore) {
                bestScore = score;
                best = x;
            }
        }
        for (int d = 0; d < ps.size(); d++) {
            Parameter p = ps.get(d);
            if (p instanceof Parameter.Categorical c) {
                out.put(p.name(), c.choices().get((int) best[d]));
            } else if (p instanceof Parameter.Discrete) {
                out.put(p.name(), (int) best[d]);
            } else {
                out.put(p.name(), Scale.of(p).fromInternal(best[d]));
            }
        }
        return out;
    }

    private ProductMixture mixture(List<Parameter> ps, List<Observation> group) {
        List<Kernels> dims = new ArrayList<>();
        for (Parameter p : ps) {
            if (p instanceof Parameter.Categorical c) {
                dims.add(CategoricalKernels.fit(group.stream().mapToInt(o -> c.choices().indexOf((String) o
                        .parameters().get(c.name()))).toArray(), c.choices().size(), priorWeight));
            } else {
                Scale s = Scale.of(p);
                ParzenEstimator e = ParzenEstimator.fit(group.stream().mapToDouble(o -> s.toInternal(o.parameters()
                        .get(p.name()))).toArray(), s.low(), s.high(), priorWeight);
                dims.add(p instanceof Parameter.Discrete ? new DiscreteKernels(e, s) : e);
            }
        }
        return new ProductMixture(dims);
    }
}
