package io.finetide.deployment.metrics;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.errors.ReasonCode;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Metric names:
 * <ul>
 * <li>{@value #PREDICTIONS}: texts classified, tag {@code task}</li>
 * <li>{@value #PREDICT_LATENCY}: wall time of predict requests, tag {@code task}</li>
 * <li>{@value #PROMOTIONS}: models put in service</li>
 * <li>{@value #REJECTIONS}: candidates kept out of service by the gate</li>
 * <li>{@value #REJECTED}: events refused, tag {@code reason}</li>
 * <li>{@value #SCORED}: unlabelled examples scored for active learning, tags {@code task} and {@code outcome}
 * ({@code scored}, or {@code no-champion} when the task has no model in service yet)</li>
 * </ul>
 */
@ApplicationScoped
public class DeploymentMetrics {

    public static final String PREDICTIONS = "finetide.deployment.predictions";
    public static final String PREDICT_LATENCY = "finetide.deployment.predict.latency";
    public static final String PROMOTIONS = "finetide.deployment.promotions";
    public static final String REJECTIONS = "finetide.deployment.candidates.rejected";
    public static final String REJECTED = "finetide.deployment.events.rejected";

    public static final String SCORED = "finetide.deployment.unlabelled.scored";

    @Inject
    MeterRegistry registry;

    public void scored(String task, String outcome, int n) {
        registry.counter(SCORED, "task", task, "outcome", outcome).increment(n);
    }

    public void predicted(String task, int texts, long nanos) {
        registry.counter(PREDICTIONS, "task", task).increment(texts);
        registry.timer(PREDICT_LATENCY, "task", task).record(Duration.ofNanos(nanos));
    }

    public void promoted() {
        registry.counter(PROMOTIONS).increment();
    }

    public void candidateRejected() {
        registry.counter(REJECTIONS).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }
}
