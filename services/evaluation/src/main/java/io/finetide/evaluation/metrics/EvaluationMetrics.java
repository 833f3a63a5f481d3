package io.finetide.evaluation.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.tasks.KeyedRegistry;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Metric names:
 * <ul>
 * <li>{@value #EVALUATIONS}: verdicts, tag {@code blessed} (true, false)</li>
 * <li>{@value #REPLAYS}: trained events already judged (the stored verdict is re-announced)</li>
 * <li>{@value #REJECTED}: trained events refused, tag {@code reason}</li>
 * <li>{@value #CHAMPIONS}: tasks whose champion this service knows (and compares candidates with)</li>
 * </ul>
 */
@ApplicationScoped
public class EvaluationMetrics {

    public static final String EVALUATIONS = "finetide.evaluation.verdicts";
    public static final String REPLAYS = "finetide.evaluation.replays";
    public static final String REJECTED = "finetide.evaluation.candidates.rejected";
    public static final String CHAMPIONS = "finetide.evaluation.champions.known";

    @Inject
    MeterRegistry registry;

    public void watchChampions(KeyedRegistry<?> champions) {
        registry.gauge(CHAMPIONS, champions, c -> c.all().size());
    }

    public void verdict(boolean blessed) {
        registry.counter(EVALUATIONS, "blessed", Boolean.toString(blessed)).increment();
    }

    public void replay() {
        registry.counter(REPLAYS).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }
}
