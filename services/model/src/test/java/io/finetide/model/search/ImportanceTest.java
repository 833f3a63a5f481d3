package io.finetide.model.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ImportanceTest {

    @Test
    void theParameterTheObjectiveDependsOnGetsTheShare() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Continuous("learningRate", 1e-5, 1e-2, true,
                Optional.empty()), new Parameter.Continuous("dropout", 0, 0.5, false, Optional.empty()),
                new Parameter.Categorical("schedule", List.of("LINEAR", "COSINE"), Optional.empty())));
        Random random = new Random(1);
        List<Observation> done = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Map<String, Object> p = new RandomSampler().propose(space, done, random);
            double lr = Math.log10((Double) p.get("learningRate"));
            done.add(new Observation(p, Math.pow(lr + 3.5, 2) + 0.01 * random.nextGaussian()));
        }
        Map<String, Double> importance = Importance.of(space, done);
        assertThat(importance.keySet()).first().isEqualTo("learningRate");
        assertThat(importance.get("learningRate")).isGreaterThan(0.9);
        assertThat(importance.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(
                1e-12));
    }

    @Test
    void etaSquaredOfACategoricalParameterIsTheKnownValue() {
        Parameter.Categorical p = new Parameter.Categorical("schedule", List.of("LINEAR", "COSINE"), Optional.empty());
        // Groups {1, 3} and {5, 7}: grand mean 4, between 2·1 + 2·1... = 2·(2-4)² + 2·(6-4)² = 16, total 9+1+1+9 = 20.
        List<Observation> o = List.of(new Observation(Map.of("schedule", "LINEAR"), 1), new Observation(Map.of(
                "schedule", "LINEAR"), 3), new Observation(Map.of("schedule", "COSINE"), 5), new Observation(
                        Map.of(
                                "schedule", "COSINE"),
                        7));
        assertThat(Importance.etaSquared(p, o)).isCloseTo(0.8, within(1e-12));
    }
}
