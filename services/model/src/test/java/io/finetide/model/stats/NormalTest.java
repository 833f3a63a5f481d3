package io.finetide.model.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/** Against Python's math.erfc and statistics.NormalDist().inv_cdf. */
class NormalTest {

    @Test
    void erfcMatchesTheReference() {
        double[][] cases = {{-3, 1.9999779095030015}, {-1, 1.842700792949715}, {-0.3, 1.3286267594591274}, {0, 1.0},
                {0.2, 0.7772974107895215}, {0.5, 0.4795001221869535}, {1, 0.15729920705028513},
                {2, 0.004677734981047265}, {3.9, 3.479224859723177e-08}, {4.5, 1.9661604415428873e-10},
                {6, 2.1519736712498916e-17}, {10, 2.088487583762545e-45}};
        for (double[] c : cases) {
            assertThat(Normal.erfc(c[0])).as("erfc(%s)", c[0]).isCloseTo(c[1], Percentage.withPercentage(1e-10));
        }
    }

    /** Against scipy's log_ndtr: log erfc(x) = log 2 + log_ndtr(-x sqrt 2), finite where erfc underflows. */
    @Test
    void logErfcMatchesTheReferenceFarIntoTheTail() {
        double[][] cases = {{-2, 0.6908055736465877}, {0.2, -0.25193223378261687}, {0.7, -1.1325865135143411},
                {3, -10.720363041981116}, {10, -102.87988902484493}, {30, -903.9741171106442},
                {100, -10005.177585122668}};
        for (double[] c : cases) {
            assertThat(Normal.logErfc(c[0])).as("log erfc(%s)", c[0]).isCloseTo(c[1], Percentage.withPercentage(
                    1e-10));
        }
    }

    @Test
    void theQuantileInvertsTheCdf() {
        double[][] cases = {{1e-10, -6.361340902404056}, {0.001, -3.090232306167813}, {0.02, -2.0537489106318225},
                {0.3, -0.5244005127080407}, {0.5, 0.0}, {0.9, 1.2815515655446008}, {0.999, 3.090232306167813}};
        for (double[] c : cases) {
            assertThat(Normal.quantile(c[0])).as("quantile(%s)", c[0]).isCloseTo(c[1], within(1e-12));
        }
    }
}
