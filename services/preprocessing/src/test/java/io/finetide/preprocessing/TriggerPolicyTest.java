package io.finetide.preprocessing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.finetide.preprocessing.trigger.TriggerPolicy;

class TriggerPolicyTest {

    private static final long DEBOUNCE = 2_000;
    private static final long MIN_INTERVAL = 60_000;

    @Test
    void aBurstOfSignalsInOneWindowFiresOnceWithEveryReason() {
        TriggerPolicy p = new TriggerPolicy();
        p.signal(TriggerPolicy.NEW_EXAMPLES, "new-examples: 100 >= 100", 1_000);
        p.signal(TriggerPolicy.NEW_EXAMPLES, "new-examples: 180 >= 100", 1_500);
        p.signal(TriggerPolicy.DRIFT, "drift: label PSI 0.4 > 0.2", 2_900);
        assertThat(p.poll(2_999, DEBOUNCE, MIN_INTERVAL)).isEmpty();
        assertThat(p.poll(3_000, DEBOUNCE, MIN_INTERVAL)).hasValueSatisfying(r -> assertThat(r).containsExactly(
                entry(TriggerPolicy.NEW_EXAMPLES, "new-examples: 180 >= 100"), entry(TriggerPolicy.DRIFT,
                        "drift: label PSI 0.4 > 0.2")));
        assertThat(p.poll(3_001, DEBOUNCE, MIN_INTERVAL)).isEmpty();
    }

    @Test
    void theMinimumIntervalHoldsBackAStormButNotAPerson() {
        TriggerPolicy p = new TriggerPolicy();
        p.firedAt(10_000);
        p.signal(TriggerPolicy.NEW_EXAMPLES, "n", 11_000);
        assertThat(p.poll(20_000, DEBOUNCE, MIN_INTERVAL)).isEmpty();
        p.signal(TriggerPolicy.SCHEDULE, "s", 30_000);
        // Held signals coalesce; they fire together once the interval has passed.
        assertThat(p.poll(69_999, DEBOUNCE, MIN_INTERVAL)).isEmpty();
        assertThat(p.poll(70_000, DEBOUNCE, MIN_INTERVAL)).hasValueSatisfying(r -> assertThat(r).containsOnlyKeys(
                TriggerPolicy.NEW_EXAMPLES, TriggerPolicy.SCHEDULE));
        p.signal(TriggerPolicy.MANUAL, "manual: requested", 71_000);
        assertThat(p.poll(72_999, DEBOUNCE, MIN_INTERVAL)).isEmpty();
        assertThat(p.poll(73_000, DEBOUNCE, MIN_INTERVAL)).hasValueSatisfying(r -> assertThat(r).containsOnlyKeys(
                TriggerPolicy.MANUAL));
        assertThat(p.lastFiredAt()).isEqualTo(73_000);
    }

    @Test
    void nothingPendingNothingFires() {
        assertThat(new TriggerPolicy().poll(Long.MAX_VALUE / 4, DEBOUNCE, MIN_INTERVAL)).isEmpty();
    }

    private static java.util.Map.Entry<String, String> entry(String k, String v) {
        return java.util.Map.entry(k, v);
    }
}
