package io.finetide.model.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class GridTest {

    @Test
    void aGridEnumeratesExactlyItsProductOncePerPoint() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Continuous("learningRate", 1e-5, 1e-3, true,
                Optional.empty()), new Parameter.Discrete("epochs", 2, 4, false, Optional.empty()),
                new Parameter.Categorical("schedule", List.of("LINEAR", "COSINE"), Optional.empty())));
        Grid grid = new Grid(space, Map.of("learningRate", List.of(1e-5, 1e-4, 1e-3)));
        assertThat(grid.size()).isEqualTo(3 * 3 * 2);
        assertThat(new HashSet<>(grid.points())).hasSize(18);
        assertThat(grid.points().get(0)).isEqualTo(Map.of("learningRate", 1e-5, "epochs", 2, "schedule", "LINEAR"));
        assertThat(grid.points().get(17)).isEqualTo(Map.of("learningRate", 1e-3, "epochs", 4, "schedule", "COSINE"));
        for (double lr : List.of(1e-5, 1e-4, 1e-3)) {
            for (int e = 2; e <= 4; e++) {
                for (String s : List.of("LINEAR", "COSINE")) {
                    assertThat(grid.points()).contains(Map.of("learningRate", lr, "epochs", e, "schedule", s));
                }
            }
        }
    }

    @Test
    void aConditionalParameterMultipliesOnlyItsBranch() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Categorical("strategy", List.of("FULL", "LORA"),
                Optional.empty()),
                new Parameter.Discrete("loraRank", 4, 7, false, Optional.of(
                        new Parameter.Condition("strategy", List.of("LORA"))))));
        Grid grid = new Grid(space, Map.of());
        assertThat(grid.points()).containsExactly(Map.of("strategy", "FULL"), Map.of("strategy", "LORA", "loraRank",
                4), Map.of("strategy", "LORA", "loraRank", 5), Map.of("strategy", "LORA", "loraRank", 6),
                Map.of(
                        "strategy", "LORA", "loraRank", 7));
    }

    @Test
    void aRealParameterNeedsItsValuesInRange() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.Continuous("dropout", 0, 0.5, false, Optional
                .empty())));
        assertThatThrownBy(() -> new Grid(space, Map.of())).hasMessageContaining("values of a real parameter");
        assertThatThrownBy(() -> new Grid(space, Map.of("dropout", List.of(0.1, 0.7)))).hasMessageContaining(
                "outside");
    }
}
