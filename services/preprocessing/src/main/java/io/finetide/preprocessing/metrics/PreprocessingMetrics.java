package io.finetide.preprocessing.metrics;

import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.runtime.metrics.GaugeValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The preprocessing service's metrics; every name is in {@code docs/METRICS.md} (Prometheus adds {@code _total} to
 * counters). Rejections carry no {@code task}: a refused record's task is unchecked input.
 */
@ApplicationScoped
public class PreprocessingMetrics {

    /** Examples cleaned, split and stored, tags {@code task}, {@code split}. */
    public static final String PREPARED = "finetide.preprocessing.examples.prepared";
    /** Examples already prepared (replays). */
    public static final String DUPLICATES = "finetide.preprocessing.examples.duplicates";
    /** Examples refused, tag {@code reason}. */
    public static final String REJECTED = "finetide.preprocessing.examples.rejected";
    /** Dataset snapshots published, tags {@code task}, {@code trigger} (the first reason's kind). */
    public static final String SNAPSHOTS = "finetide.preprocessing.snapshots";
    /** Wall time of building a snapshot (read, split, write, publish), tag {@code task}. */
    public static final String SNAPSHOT_BUILD = "finetide.preprocessing.snapshot.build";
    /** When the task's newest snapshot was published, seconds since the epoch, tag {@code task}. */
    public static final String SNAPSHOT_LAST = "finetide.preprocessing.snapshot.last.timestamp.seconds";
    /** Examples longer than the task's maximum sequence length, tag {@code task}. */
    public static final String TRUNCATED = "finetide.preprocessing.examples.truncated";
    /** Trigger signals, tags {@code task}, {@code kind} (new-examples, drift, live-drift, schedule, manual). */
    public static final String TRIGGERS = "finetide.preprocessing.triggers";
    /** Examples prepared again after their task changed cleaning or tokenisation. */
    public static final String REPREPARED = "finetide.preprocessing.examples.reprepared";
    /** Examples removed on a subject's request. */
    public static final String DELETED = "finetide.preprocessing.examples.deleted";
    /** Snapshot files removed by retention. */
    public static final String RETIRED = "finetide.preprocessing.snapshots.retired";
    /**
     * The latest population stability index, tags {@code task}, {@code feature} (label, length, predicted-label,
     * confidence) and {@code reference} (data: against the champion's training data; live: predictions against their
     * reference).
     */
    public static final String DRIFT_PSI = "finetide.preprocessing.drift.psi";
    /** The latest Jensen-Shannon divergence, the same tags as {@value #DRIFT_PSI}. */
    public static final String DRIFT_JS = "finetide.preprocessing.drift.js";
    /** The task's drift threshold on PSI, tag {@code task}: alerts compare {@value #DRIFT_PSI} with it. */
    public static final String DRIFT_THRESHOLD = "finetide.preprocessing.drift.psi.threshold";
    /** Examples in the task's newest snapshot, tags {@code task}, {@code split}. */
    public static final String SNAPSHOT_EXAMPLES = "finetide.preprocessing.snapshot.examples";
    /** Share of unknown tokens in the task's newest snapshot, tag {@code task}. */
    public static final String UNKNOWN_TOKEN_RATE = "finetide.preprocessing.snapshot.unknown.token.rate";

    @Inject
    MeterRegistry registry;

    @Inject
    GaugeValues gauges;

    public void prepared(String task, String split) {
        registry.counter(PREPARED, "task", task, "split", split.toLowerCase(Locale.ROOT)).increment();
        registry.counter(TRUNCATED, "task", task); // at 0 until the first truncation: rates have a series to read
    }

    public void duplicate() {
        registry.counter(DUPLICATES).increment();
    }

    public void truncated(String task) {
        registry.counter(TRUNCATED, "task", task).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }

    /** A snapshot was published; {@code trigger} is the kind of its first reason. */
    public void snapshot(String task, String trigger, long buildMillis, long train, long validation, long test,
            double unknownRate) {
        registry.counter(SNAPSHOTS, "task", task, "trigger", trigger).increment();
        Timer.builder(SNAPSHOT_BUILD).tag("task", task).register(registry).record(Duration.ofMillis(buildMillis));
        gauges.set(SNAPSHOT_LAST, Tags.of("task", task), System.currentTimeMillis() / 1000.0);
        gauges.set(SNAPSHOT_EXAMPLES, Tags.of("task", task, "split", "train"), train);
        gauges.set(SNAPSHOT_EXAMPLES, Tags.of("task", task, "split", "validation"), validation);
        gauges.set(SNAPSHOT_EXAMPLES, Tags.of("task", task, "split", "test"), test);
        gauges.set(UNKNOWN_TOKEN_RATE, Tags.of("task", task), unknownRate);
    }

    public void trigger(String task, String kind) {
        registry.counter(TRIGGERS, "task", task, "kind", kind).increment();
    }

    public void reprepared(long n) {
        registry.counter(REPREPARED).increment(n);
    }

    public void deleted(long n) {
        registry.counter(DELETED).increment(n);
    }

    public void retired() {
        registry.counter(RETIRED).increment();
    }

    public void drift(String task, String feature, String reference, double psi, double js, double threshold) {
        Tags tags = Tags.of("task", task, "feature", feature, "reference", reference);
        gauges.set(DRIFT_PSI, tags, psi);
        gauges.set(DRIFT_JS, tags, js);
        gauges.set(DRIFT_THRESHOLD, Tags.of("task", task), threshold);
    }
}
