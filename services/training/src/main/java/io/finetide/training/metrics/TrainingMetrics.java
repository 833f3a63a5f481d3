package io.finetide.training.metrics;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.tasks.KeyedRegistry;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Metric names:
 * <ul>
 * <li>{@value #RUNS}: finished runs, tag {@code outcome} (completed, failed, skipped)</li>
 * <li>{@value #DURATION}: wall time of completed runs</li>
 * <li>{@value #STEPS}: optimisation steps taken</li>
 * <li>{@value #REJECTED}: snapshot events refused, tag {@code reason}</li>
 * <li>{@value #CHAMPIONS}: tasks whose champion this service knows (and would continue training from)</li>
 * <li>{@value #RESUMED}: runs that continued from a checkpoint of an earlier, killed attempt</li>
 * <li>{@value #BASE_UPLOADS}: base-model uploads, tag {@code outcome} (created, unchanged, conflict, invalid)</li>
 * </ul>
 */
@ApplicationScoped
public class TrainingMetrics {

    public static final String RUNS = "finetide.training.runs";
    public static final String DURATION = "finetide.training.duration";
    public static final String STEPS = "finetide.training.steps";
    public static final String REJECTED = "finetide.training.snapshots.rejected";
    public static final String CHAMPIONS = "finetide.training.champions.known";
    public static final String RESUMED = "finetide.training.runs.resumed";
    public static final String BASE_UPLOADS = "finetide.training.base.models.uploads";

    @Inject
    MeterRegistry registry;

    public void watchChampions(KeyedRegistry<?> champions) {
        registry.gauge(CHAMPIONS, champions, c -> c.all().size());
    }

    public void run(String outcome) {
        registry.counter(RUNS, "outcome", outcome).increment();
    }

    public void completed(long millis, long steps) {
        registry.timer(DURATION).record(Duration.ofMillis(millis));
        registry.counter(STEPS).increment(steps);
    }

    public void resumed() {
        registry.counter(RESUMED).increment();
    }

    public void baseUpload(String outcome) {
        registry.counter(BASE_UPLOADS, "outcome", outcome).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }
}
