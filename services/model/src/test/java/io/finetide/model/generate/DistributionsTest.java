package io.finetide.model.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class DistributionsTest {

    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15),
            (float) Math.log(0.05)};

    @Test
    void topPKeepsTheFewestLikelyTokensThatReachIt() {
        assertThat(Distributions.filtered(LOGITS, 1, 0, 0.8)).containsExactly(new double[]{0.625, 0.375, 0, 0},
                within(1e-6));
        assertThat(Distributions.filtered(LOGITS, 1, 0, 0.81)).containsExactly(new double[]{0.5 / 0.95, 0.3 / 0.95,
                0.15 / 0.95, 0}, within(1e-6));
        assertThat(Distributions.filtered(LOGITS, 1, 0, 0.1)).containsExactly(new double[]{1, 0, 0, 0}, within(
                1e-9));
    }

    @Test
    void topKThenTopPOverWhatTopKKept() {
        // Top-3 renormalises to 0.526, 0.316, 0.158; top-p 0.8 then needs the second token too.
        assertThat(Distributions.filtered(LOGITS, 1, 3, 0.8)).containsExactly(new double[]{0.625, 0.375, 0, 0},
                within(1e-6));
        assertThat(Distributions.filtered(LOGITS, 1, 2, 1)).containsExactly(new double[]{0.625, 0.375, 0, 0},
                within(1e-6));
    }

    @Test
    void temperatureFlattensAndSharpens() {
        double[] hot = Distributions.filtered(LOGITS, 2, 0, 1);
        double z = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.15) + Math.sqrt(0.05);
        assertThat(hot).containsExactly(new double[]{Math.sqrt(0.5) / z, Math.sqrt(0.3) / z, Math.sqrt(0.15) / z,
                Math.sqrt(0.05) / z}, within(1e-6));
        assertThat(Distributions.filtered(LOGITS, 0.01, 0, 1)[0]).isCloseTo(1, within(1e-9));
    }

    @Test
    void drawsFollowTheDistribution() {
        double[] p = {0.5, 0.3, 0.15, 0.05};
        int[] counts = new int[4];
        SplittableRandom random = new SplittableRandom(11);
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            counts[Distributions.draw(p, random)]++;
        }
        for (int i = 0; i < 4; i++) {
            // Five standard deviations of a share over 40,000 draws is at most 0.0125.
            assertThat(counts[i] / (double) n).isCloseTo(p[i], within(0.0125));
        }
        assertThat(Distributions.draw(new double[]{0, 0, 1, 0}, random)).isEqualTo(2);
    }

    @Test
    void largestFindsTheTopIndices() {
        assertThat(Distributions.largest(new double[]{0.1, 0.9, 0.3, 0.7, 0.2}, 2)).containsExactlyInAnyOrder(1, 3);
        assertThat(Distributions.largest(new double[]{0.1, 0.9}, 5)).containsExactlyInAnyOrder(0, 1);
    }
}
