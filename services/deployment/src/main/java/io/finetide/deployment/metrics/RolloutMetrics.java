package io.finetide.deployment.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.proto.v1.RolloutStage;
import io.finetide.runtime.metrics.GaugeValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/** Progressive delivery's metrics; every name is in {@code docs/METRICS.md}. */
@ApplicationScoped
public class RolloutMetrics {

    /** Rollout transitions, tags {@code task}, {@code stage} (shadow, canary, promoted, aborted). */
    public static final String TRANSITIONS = "finetide.deployment.rollout.transitions";
    /** The stage of the task's rollout on this replica: 0 none, 1 shadow, 2 canary; tag {@code task}. */
    public static final String STAGE = "finetide.deployment.rollout.stage";
    /**
     * Texts the candidate scored in shadow, tags {@code task}, {@code agreement} ({@code agree}, {@code disagree}:
     * whether its label was the champion's).
     */
    public static final String SHADOW_PREDICTIONS = "finetide.deployment.shadow.predictions";
    /** How long the candidate took to score a request's copy in shadow, tag {@code task}. */
    public static final String SHADOW_LATENCY = "finetide.deployment.shadow.latency";
    /** Requests not scored in shadow because the shadow queue was full, tag {@code task}. */
    public static final String SHADOW_DROPPED = "finetide.deployment.shadow.dropped";
    /** Texts the candidate answered as a canary, tag {@code task}. */
    public static final String CANARY_PREDICTIONS = "finetide.deployment.canary.predictions";

    @Inject
    MeterRegistry registry;

    @Inject
    GaugeValues gauges;

    private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A transition this replica decided (every replica's stage gauge follows, through {@link #stage}). */
    public void transition(String task, RolloutStage stage) {
        registry.counter(TRANSITIONS, "task", task, "stage", tag(stage)).increment();
        stage(task, stage);
    }

    public void stage(String task, RolloutStage stage) {
        known.add(task);
        gauges.set(STAGE, Tags.of("task", task), switch (stage) {
            case ROLLOUT_SHADOW -> 1;
            case ROLLOUT_CANARY -> 2;
            default -> 0;
        });
    }

    /**
     * Every series at 0 from the task's first champion (the stage at 0 once), so that dashboards and alerts read a
     * series before the task's first rollout.
     */
    public void registered(String task) {
        started(task);
        registry.counter(SHADOW_PREDICTIONS, "task", task, "agreement", "agree");
        registry.counter(SHADOW_PREDICTIONS, "task", task, "agreement", "disagree");
        if (known.add(task)) {
            gauges.set(STAGE, Tags.of("task", task), 0);
        }
    }

    /** At 0 from a rollout's start, so that rates and alerts read a series before the first event. */
    public void started(String task) {
        for (RolloutStage s : List.of(RolloutStage.ROLLOUT_SHADOW, RolloutStage.ROLLOUT_CANARY,
                RolloutStage.ROLLOUT_PROMOTED, RolloutStage.ROLLOUT_ABORTED)) {
            registry.counter(TRANSITIONS, "task", task, "stage", tag(s));
        }
        registry.counter(SHADOW_DROPPED, "task", task);
        registry.counter(CANARY_PREDICTIONS, "task", task);
    }

    public void shadowScored(String task, int agreed, int disagreed, long nanos) {
        registry.counter(SHADOW_PREDICTIONS, "task", task, "agreement", "agree").increment(agreed);
        registry.counter(SHADOW_PREDICTIONS, "task", task, "agreement", "disagree").increment(disagreed);
        Timer.builder(SHADOW_LATENCY).tag("task", task).register(registry).record(Duration.ofNanos(nanos));
    }

    public void shadowDropped(String task) {
        registry.counter(SHADOW_DROPPED, "task", task).increment();
    }

    public void canaryAnswered(String task, int texts) {
        registry.counter(CANARY_PREDICTIONS, "task", task).increment(texts);
    }

    /** The stage as tags and views name it: shadow, canary, promoted, aborted. */
    public static String tag(RolloutStage stage) {
        return stage.name().substring("ROLLOUT_".length()).toLowerCase(Locale.ROOT);
    }
}
