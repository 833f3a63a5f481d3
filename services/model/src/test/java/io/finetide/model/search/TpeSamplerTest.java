package io.finetide.model.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.Test;

class TpeSamplerTest {

    static final SearchSpace BRANIN = new SearchSpace(List.of(new Parameter.Continuous("x1", -5, 10, false, Optional
            .empty()), new Parameter.Continuous("x2", 0, 15, false, Optional.empty())));

    /** Branin-Hoo: three global minima of 0.397887. */
    static double branin(Map<String, Object> p) {
        double x1 = (Double) p.get("x1"), x2 = (Double) p.get("x2");
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    @Test
    void theEstimatorIsADensityOnItsRange() {
        ParzenEstimator e = ParzenEstimator.fit(new double[]{0.1, 0.15, 0.8, 0.95}, 0, 1, 1.0);
        int n = 20_000;
        double integral = 0;
        for (int i = 0; i < n; i++) {
            integral += Math.exp(e.logDensity((i + 0.5) / n)) / n;
        }
        assertThat(integral).isCloseTo(1.0, within(1e-3));
        Random random = new Random(3);
        for (int i = 0; i < 1000; i++) {
            assertThat(e.sample(random)).isBetween(0.0, 1.0);
        }
    }

    @Test
    void anIntegersKernelsPutAllTheirMassOnTheIntegers() {
        Parameter.Discrete rank = new Parameter.Discrete("loraRank", 1, 64, true, Optional.empty());
        Scale s = Scale.of(rank);
        ParzenEstimator e = ParzenEstimator.fit(new double[]{Math.log(4), Math.log(8), Math.log(40)}, s.low(), s
                .high(), 1.0);
        DiscreteKernels d = new DiscreteKernels(e, s);
        Random random = new Random(2);
        for (int k = 0; k < d.weights().length; k++) {
            double total = 0;
            for (int v = 1; v <= 64; v++) {
                total += Math.exp(d.logDensity(k, v));
            }
            assertThat(total).as("kernel %d", k).isCloseTo(1.0, within(1e-9));
            for (int i = 0; i < 200; i++) {
                double v = d.sample(k, random);
                assertThat(v).isEqualTo(Math.rint(v)).isBetween(1.0, 64.0);
            }
        }
    }

    @Test
    void olderObservationsWeighLessPast25() {
        assertThat(ParzenEstimator.observationWeights(10)).containsOnly(1.0);
        double[] w = ParzenEstimator.observationWeights(40);
        assertThat(w[0]).isCloseTo(1.0 / 40, within(1e-12));
        assertThat(Arrays.copyOfRange(w, 15, 40)).containsOnly(1.0);
        for (int i = 1; i < 15; i++) {
            assertThat(w[i]).isGreaterThan(w[i - 1]);
        }
    }

    @Test
    void tpeFindsBetterBraninMinimaThanRandomSearch() {
        double[] tpe = new double[15], random = new double[15];
        for (int seed = 0; seed < 15; seed++) {
            tpe[seed] = best(TpeSampler.withDefaults(), BRANIN, TpeSamplerTest::branin, 50, seed);
            random[seed] = best(new RandomSampler(), BRANIN, TpeSamplerTest::branin, 50, seed);
        }
        // Measured: TPE 0.545, random 1.053. Optuna 5.1.0's TPESampler and RandomSampler on the same budget (15
        // seeds of its own): 0.491 and 1.164. The comparison with Optuna proper belongs to a benchmark.
        assertThat(median(tpe)).isLessThan(median(random) * 0.75);
    }

    @Test
    void logScalesAndIntegersStayInRangeAndAreLearned() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Continuous("learningRate", 1e-6, 1e-2, true,
                Optional.empty()), new Parameter.Discrete("batchSize", 4, 256, true, Optional.empty())));
        ToDoubleFunction<Map<String, Object>> f = p -> Math.pow(Math.log10((Double) p.get("learningRate")) + 4, 2)
                + Math.pow(Math.log((Integer) p.get("batchSize") / 32.0), 2);
        List<Observation> done = run(TpeSampler.withDefaults(), space, f, 60, 7);
        for (Observation o : done) {
            assertThat((Double) o.parameters().get("learningRate")).isBetween(1e-6, 1e-2);
            assertThat((Integer) o.parameters().get("batchSize")).isBetween(4, 256);
        }
        Observation best = done.stream().min((a, b) -> Double.compare(a.value(), b.value())).orElseThrow();
        assertThat((Double) best.parameters().get("learningRate")).isBetween(3e-5, 3e-4);
        assertThat((Integer) best.parameters().get("batchSize")).isBetween(16, 64);
    }

    @Test
    void aConditionalParameterLearnsOnlyWhereItIsActive() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Categorical("strategy", List.of("FULL", "LORA",
                "HEAD_ONLY"), Optional.empty()), new Parameter.Discrete("loraRank", 1, 64, true,
                        Optional.of(
                                new Parameter.Condition("strategy", List.of("LORA"))))));
        ToDoubleFunction<Map<String, Object>> f = p -> switch ((String) p.get("strategy")) {
            case "LORA" -> Math.abs(Math.log((Integer) p.get("loraRank") / 8.0));
            case "FULL" -> 1.5;
            default -> 3.0;
        };
        List<Observation> done = run(TpeSampler.withDefaults(), space, f, 60, 11);
        for (Observation o : done) {
            assertThat(o.parameters().containsKey("loraRank")).isEqualTo(o.parameters().get("strategy").equals(
                    "LORA"));
        }
        long loraLater = done.subList(30, 60).stream().filter(o -> o.parameters().get("strategy").equals("LORA"))
                .count();
        assertThat(loraLater).as("TPE settles on the better strategy").isGreaterThan(20);
        assertThat(done.stream().mapToDouble(Observation::value).min().orElseThrow()).isLessThan(0.15);
    }

    @Test
    void tpeFindsAQuadraticsMinimumFasterThanRandomOnAverage() {
        SearchSpace line = new SearchSpace(List.of(new Parameter.Continuous("x", -10, 10, false, Optional.empty())));
        ToDoubleFunction<Map<String, Object>> f = p -> Math.pow((Double) p.get("x") - 2.5, 2);
        double tpe = 0, random = 0;
        for (int seed = 0; seed < 20; seed++) {
            tpe += best(TpeSampler.withDefaults(), line, f, 30, seed) / 20;
            random += best(new RandomSampler(), line, f, 30, seed) / 20;
        }
        assertThat(tpe).isLessThan(random / 3);
    }

    @Test
    void randomSearchIsSeeded() {
        assertThat(run(new RandomSampler(), BRANIN, TpeSamplerTest::branin, 10, 4)).isEqualTo(run(
                new RandomSampler(), BRANIN, TpeSamplerTest::branin, 10, 4)).isNotEqualTo(run(new RandomSampler(),
                        BRANIN, TpeSamplerTest::branin, 10, 5));
    }

    @Test
    void theSameSeedGivesTheSameStudy() {
        assertThat(run(TpeSampler.withDefaults(), BRANIN, TpeSamplerTest::branin, 25, 5)).isEqualTo(run(TpeSampler
                .withDefaults(), BRANIN, TpeSamplerTest::branin, 25, 5));
    }

    @Test
    void badSpacesAreRefused() {
        assertThatThrownBy(() -> new Parameter.Continuous("lr", 0, 1, true, Optional.empty())).hasMessageContaining(
                "low > 0");
        assertThatThrownBy(() -> new Parameter.Continuous("dropout", 0.5, 0.5, false, Optional.empty()))
                .hasMessageContaining("low < high");
        assertThatThrownBy(() -> new SearchSpace(List.of(new Parameter.Discrete("loraRank", 1, 8, false, Optional
                .of(new Parameter.Condition("strategy", List.of("LORA"))))))).hasMessageContaining(
                        "listed before it");
    }

    static double best(Sampler sampler, SearchSpace space, ToDoubleFunction<Map<String, Object>> f, int trials,
            long seed) {
        return run(sampler, space, f, trials, seed).stream().mapToDouble(Observation::value).min().orElseThrow();
    }

    static List<Observation> run(Sampler sampler, SearchSpace space, ToDoubleFunction<Map<String, Object>> f,
            int trials, long seed) {
        Random random = new Random(seed);
        List<Observation> done = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            Map<String, Object> p = sampler.propose(space, done, random);
            done.add(new Observation(p, f.applyAsDouble(p)));
        }
        return done;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
    }
}
