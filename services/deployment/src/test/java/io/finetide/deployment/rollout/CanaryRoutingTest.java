package io.finetide.deployment.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CanaryRoutingTest {

    @Test
    void aKeyAlwaysGoesTheSameWayAndKeysSpreadEvenly() {
        int canary = 0;
        for (int i = 0; i < 20_000; i++) {
            boolean first = CanaryRouting.toCanary("t", "user-" + i, 0.1);
            assertThat(CanaryRouting.toCanary("t", "user-" + i, 0.1)).isEqualTo(first);
            canary += first ? 1 : 0;
            double position = CanaryRouting.position("t", "user-" + i);
            assertThat(position).isGreaterThanOrEqualTo(0).isLessThan(1);
        }
        // SHA-256 spreads keys like a fair coin: 2,000 expected, standard deviation 42.
        assertThat(canary / 20_000.0).isCloseTo(0.1, within(0.01));
    }

    @Test
    void aKeyInTheCanaryAtOneShareStaysInItAtALargerOne() {
        for (int i = 0; i < 1_000; i++) {
            if (CanaryRouting.toCanary("t", "k" + i, 0.05)) {
                assertThat(CanaryRouting.toCanary("t", "k" + i, 0.2)).isTrue();
            }
        }
    }

    @Test
    void theTaskIsPartOfTheHashSoTasksSplitIndependently() {
        assertThat(CanaryRouting.position("a", "user-1")).isNotEqualTo(CanaryRouting.position("b", "user-1"));
        assertThat(CanaryRouting.position("a", "user-1")).isEqualTo(CanaryRouting.position("a", "user-1"));
    }
}
