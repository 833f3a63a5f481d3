package io.finetide.ingestion.labeling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class BackgroundCountsTest {

    /** Runs nothing until told: what the background thread would do, step by step. */
    private final Deque<Runnable> pending = new ArrayDeque<>();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicLong stored = new AtomicLong(42);
    /** How long a count takes, on the clock above. */
    private final AtomicLong countTakes = new AtomicLong(100);
    private int countsMade;

    private final BackgroundCounts counts = new BackgroundCounts(task -> {
        countsMade++;
        now.addAndGet(countTakes.get());
        return stored.get();
    }, pending::add, now::get, 10_000);

    @Test
    void aReadNeverWaitsForTheCountAndStartsOneAtATime() {
        assertThat(counts.value("t")).isNaN();
        assertThat(counts.value("t")).isNaN();
        assertThat(pending).hasSize(1);
        assertThat(countsMade).isZero();

        pending.poll().run();
        assertThat(counts.value("t")).isEqualTo(42.0);
        assertThat(pending).isEmpty();
        assertThat(countsMade).isEqualTo(1);
    }

    @Test
    void aKeyIsCountedAgainAfterTheRefreshIntervalKeepingTheOldValueMeanwhile() {
        counts.value("t");
        pending.poll().run();
        stored.set(50);

        now.addAndGet(9_999);
        assertThat(counts.value("t")).isEqualTo(42.0);
        assertThat(pending).isEmpty();

        now.addAndGet(1);
        assertThat(counts.value("t")).isEqualTo(42.0);
        assertThat(pending).hasSize(1);
        pending.poll().run();
        assertThat(counts.value("t")).isEqualTo(50.0);
    }

    @Test
    void aSlowCountIsRepeatedOnlyAfterTenTimesItsDuration() {
        countTakes.set(5_000);
        counts.value("t");
        pending.poll().run();

        now.addAndGet(49_999);
        counts.value("t");
        assertThat(pending).as("a 5 s count waits 50 s, not the 10 s interval").isEmpty();
        now.addAndGet(1);
        counts.value("t");
        assertThat(pending).hasSize(1);
    }

    @Test
    void aFailedCountKeepsTheLastValueAndIsTriedAgain() {
        counts.value("t");
        pending.poll().run();
        BackgroundCounts failing = new BackgroundCounts(task -> {
            throw new IllegalStateException("store down");
        }, pending::add, now::get, 10_000);
        failing.value("t");
        pending.poll().run();
        assertThat(failing.value("t")).isNaN();
        assertThat(pending).as("tried again at the next read").hasSize(1);
        assertThat(counts.value("u")).isNaN();
        assertThat(counts.value("t")).isEqualTo(42.0);
    }
}
