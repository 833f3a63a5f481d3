package io.finetide.preprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.drift.Drift;

/** Expected figures computed by hand from the definitions (natural log for PSI, bits for JS). */
class DriftTest {

    @Test
    void psiAndJsOfTwoBins() {
        Map<String, Long> reference = Map.of("pos", 50L, "neg", 50L);
        Map<String, Long> current = Map.of("pos", 80L, "neg", 20L);
        // 0.3 ln(0.8/0.5) + (-0.3) ln(0.2/0.5)
        assertThat(Drift.psi(reference, current)).isCloseTo(0.415888308, within(1e-8));
        // m = (0.65, 0.35); (KL(p||m) + KL(q||m)) / 2 / ln 2
        assertThat(Drift.jensenShannon(reference, current)).isCloseTo(0.073104008, within(1e-8));
    }

    @Test
    void threeBinsGivenAsCountsOfDifferentTotals() {
        Map<String, Long> reference = Map.of("a", 25L, "b", 25L, "c", 50L);
        Map<String, Long> current = Map.of("a", 40L, "b", 60L, "c", 100L);
        assertThat(Drift.psi(reference, current)).isCloseTo(0.020273255, within(1e-8));
        assertThat(Drift.jensenShannon(reference, current)).isCloseTo(0.003649578, within(1e-8));
    }

    @Test
    void identicalDistributionsDoNotDriftAndDisjointOnesDriftFully() {
        assertThat(Drift.psi(Map.of("a", 3L, "b", 1L), Map.of("a", 30L, "b", 10L))).isCloseTo(0, within(1e-12));
        assertThat(Drift.jensenShannon(Map.of("a", 3L, "b", 1L), Map.of("a", 30L, "b", 10L))).isCloseTo(0, within(
                1e-12));
        assertThat(Drift.jensenShannon(Map.of("a", 10L), Map.of("b", 10L))).isCloseTo(1.0, within(1e-12));
        // Empty bins are floored at 1e-4: (1e-4 - 1) ln(1e-4) twice, after renormalising.
        assertThat(Drift.psi(Map.of("a", 10L), Map.of("b", 10L))).isCloseTo(18.416996976, within(1e-6));
    }
}
