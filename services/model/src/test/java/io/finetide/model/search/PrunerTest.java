package io.finetide.model.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class PrunerTest {

    // Objective curves (to minimise: negated accuracy), one value per epoch.
    static final List<List<Double>> COMPLETED = List.of(List.of(-0.60, -0.70, -0.75), List.of(-0.62, -0.72,
            -0.78), List.of(-0.55, -0.65, -0.70), List.of(-0.58, -0.69, -0.74), List.of(-0.61, -0.71, -0.76));

    @Test
    void medianPrunesACurveBelowTheCompletedTrialsMedian() {
        Pruner median = new Pruner.Median(5);
        // Median at epoch 1 is -0.60, at epoch 2 -0.70.
        assertThat(median.prune(List.of(-0.50), COMPLETED, COMPLETED)).isTrue();
        assertThat(median.prune(List.of(-0.60), COMPLETED, COMPLETED)).as("equal to the median goes on").isFalse();
        assertThat(median.prune(List.of(-0.71, -0.69), COMPLETED, COMPLETED)).as("its best so far counts")
                .isFalse();
        assertThat(median.prune(List.of(-0.59, -0.69), COMPLETED, COMPLETED)).isTrue();
        assertThat(median.prune(List.of(-0.10), COMPLETED.subList(0, 4), COMPLETED)).as("before 5 are complete")
                .isFalse();
    }

    @Test
    void successiveHalvingKeepsTheBestThirdAtEachRung() {
        Pruner sha = new Pruner.SuccessiveHalving(1, 3);
        // Rungs at epochs 1, 3, 9: nothing is decided at epoch 2.
        assertThat(sha.prune(List.of(0.0, 5.0), List.of(), COMPLETED)).isFalse();
        // At epoch 1, six values compete (five others and its own): the best 6/3 = 2 go on.
        assertThat(sha.prune(List.of(-0.615), List.of(), COMPLETED)).isFalse(); // second best
        assertThat(sha.prune(List.of(-0.605), List.of(), COMPLETED)).isTrue(); // third
        // Fewer than three to compete with: only the best goes on.
        assertThat(sha.prune(List.of(-0.61), List.of(), List.of(List.of(-0.60)))).isFalse();
        assertThat(sha.prune(List.of(-0.59), List.of(), List.of(List.of(-0.60)))).isTrue();
        // At epoch 3 only the trials that reached it compete.
        assertThat(sha.prune(List.of(0.0, 0.0, -0.77), List.of(), List.of(List.of(-0.6, -0.7, -0.78), List.of(
                -0.9)))).isTrue();
    }

    @Test
    void noneNeverPrunes() {
        assertThat(new Pruner.None().prune(List.of(100.0), COMPLETED, COMPLETED)).isFalse();
    }
}
