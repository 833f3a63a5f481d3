package io.finetide.preprocessing.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Metric names (Prometheus adds {@code _total} to counters):
 * <ul>
 * <li>{@value #PREPARED}: examples cleaned, split and stored, tag {@code split}</li>
 * <li>{@value #DUPLICATES}: examples already prepared (replays)</li>
 * <li>{@value #REJECTED}: examples refused, tag {@code reason}</li>
 * <li>{@value #SNAPSHOTS}: dataset snapshots published</li>
 * <li>{@value #TRUNCATED}: examples longer than the task's maximum sequence length</li>
 * </ul>
 */
@ApplicationScoped
public class PreprocessingMetrics {

    public static final String PREPARED = "finetide.preprocessing.examples.prepared";
    public static final String DUPLICATES = "finetide.preprocessing.examples.duplicates";
    public static final String REJECTED = "finetide.preprocessing.examples.rejected";
    public static final String SNAPSHOTS = "finetide.preprocessing.snapshots";
    public static final String TRUNCATED = "finetide.preprocessing.examples.truncated";

    @Inject
    MeterRegistry registry;

    public void prepared(String split) {
        registry.counter(PREPARED, "split", split.toLowerCase(java.util.Locale.ROOT)).increment();
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
}
