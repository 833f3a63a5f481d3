package io.finetide.preprocessing.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Metric names (Prometheus adds {@code _total} to counters):
 * <ul>
 * <li>{@value #PREPARED}: examples cleaned, split and stored, tag {@code split}</li>
 * <li>{@value #DUPLICATES}: examples already prepared (replays)</li>
 * <li>{@value #REJECTED}: examples refused, tag {@code reason}</li>
 * <li>{@value #SNAPSHOTS}: dataset snapshots published</li>
 * <li>{@value #TRUNCATED}: examples longer than the task's maximum sequence length</li>
 * <li>{@value #TRIGGERS}: trigger signals, tag {@code kind} (new-examples, drift, live-drift, schedule, manual)</li>
 * <li>{@value #REPREPARED}: examples prepared again after their task changed cleaning or tokenisation</li>
 * <li>{@value #DELETED}: examples removed on a subject's request</li>
 * <li>{@value #RETIRED}: snapshot files removed by retention</li>
 * <li>{@value #DRIFT_PSI}, {@value #DRIFT_JS}: the latest drift figures, tags {@code task}, {@code feature} (label,
 * length, predicted-label, confidence) and {@code reference} (data: against the champion's training data; live:
 * predictions against their reference)</li>
 * <li>{@value #SNAPSHOT_EXAMPLES}: examples in the task's newest snapshot, tags {@code task}, {@code split}</li>
 * <li>{@value #UNKNOWN_TOKEN_RATE}: share of unknown tokens in the task's newest snapshot, tag {@code task}</li>
 * </ul>
 */
@ApplicationScoped
public class PreprocessingMetrics {

    public static final String PREPARED = "finetide.preprocessing.examples.prepared";
    public static final String DUPLICATES = "finetide.preprocessing.examples.duplicates";
    public static final String REJECTED = "finetide.preprocessing.examples.rejected";
    public static final String SNAPSHOTS = "finetide.preprocessing.snapshots";
    public static final String TRUNCATED = "finetide.preprocessing.examples.truncated";
    public static final String TRIGGERS = "finetide.preprocessing.triggers";
    public static final String REPREPARED = "finetide.preprocessing.examples.reprepared";
    public static final String DELETED = "finetide.preprocessing.examples.deleted";
    public static final String RETIRED = "finetide.preprocessing.snapshots.retired";
    public static final String DRIFT_PSI = "finetide.preprocessing.drift.psi";
    public static final String DRIFT_JS = "finetide.preprocessing.drift.js";
    public static final String SNAPSHOT_EXAMPLES = "finetide.preprocessing.snapshot.examples";
    public static final String UNKNOWN_TOKEN_RATE = "finetide.preprocessing.snapshot.unknown.token.rate";

    private final Map<String, double[]> gauges = new ConcurrentHashMap<>();

    @Inject
    MeterRegistry registry;

    public void prepared(String split) {
        registry.counter(PREPARED, "split", split.toLowerCase(Locale.ROOT)).increment();
    }

    public void duplicate() {
        registry.counter(DUPLICATES).increment();
    }

    public void truncated() {
        registry.counter(TRUNCATED).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }

    public void snapshot() {
        registry.counter(SNAPSHOTS).increment();
    }

    public void trigger(String kind) {
        registry.counter(TRIGGERS, "kind", kind).increment();
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

    public void drift(String task, String feature, String reference, double psi, double js) {
        gauge(DRIFT_PSI, Tags.of("task", task, "feature", feature, "reference", reference), psi);
        gauge(DRIFT_JS, Tags.of("task", task, "feature", feature, "reference", reference), js);
    }

    public void snapshotFigures(String task, long train, long validation, long test, double unknownRate) {
        gauge(SNAPSHOT_EXAMPLES, Tags.of("task", task, "split", "train"), train);
        gauge(SNAPSHOT_EXAMPLES, Tags.of("task", task, "split", "validation"), validation);
        gauge(SNAPSHOT_EXAMPLES, Tags.of("task", task, "split", "test"), test);
        gauge(UNKNOWN_TOKEN_RATE, Tags.of("task", task), unknownRate);
    }

    private void gauge(String name, Tags tags, double value) {
        double[] holder = gauges.computeIfAbsent(name + tags, k -> {
            double[] h = new double[1];
            Gauge.builder(name, h, x -> x[0]).tags(tags).register(registry);
            return h;
        });
        holder[0] = value;
    }
}
