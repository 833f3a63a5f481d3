package io.finetide.evaluation.judging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServingCostsTest {

    @Test
    void percentilesAreNearestRank() {
        double[] sorted = new double[21];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }
        // Rank ceil(0.5 * 21) = 11 and ceil(0.95 * 21) = 20.
        assertThat(ServingCosts.percentile(sorted, 0.50)).isEqualTo(11);
        assertThat(ServingCosts.percentile(sorted, 0.95)).isEqualTo(20);
        assertThat(ServingCosts.percentile(new double[]{4}, 0.95)).isEqualTo(4);
        assertThat(ServingCosts.percentile(new double[0], 0.5)).isZero();
    }
}
