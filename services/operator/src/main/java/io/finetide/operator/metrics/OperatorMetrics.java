package io.finetide.operator.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.operator.tasks.TaskApplication;
import io.finetide.platform.errors.ReasonCode;
import io.micrometer.core.instrument.MeterRegistry;

/** The operator's metrics; every name is in {@code docs/METRICS.md}. */
@ApplicationScoped
public class OperatorMetrics {

    /** Reconciliations of a FineTuningTask, tag {@code outcome} (created, applied, refused, unreachable). */
    public static final String RECONCILIATIONS = "finetide.operator.reconciliations";
    /** Status writes to the API server, tag {@code outcome} (written, failed). */
    public static final String STATUS_WRITES = "finetide.operator.status.writes";
    /** Pipeline events refused (dead-lettered), tag {@code reason}. */
    public static final String REJECTED = "finetide.operator.events.rejected";

    @Inject
    MeterRegistry registry;

    public void reconciled(TaskApplication.Outcome outcome) {
        registry.counter(RECONCILIATIONS, "outcome", outcome.name().toLowerCase()).increment();
    }

    public void statusWritten(boolean ok) {
        registry.counter(STATUS_WRITES, "outcome", ok ? "written" : "failed").increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.name()).increment();
    }

    /** Every series at 0 from the start, so that dashboards and alerts read a value before the first event. */
    public void registerSeries() {
        for (TaskApplication.Outcome o : TaskApplication.Outcome.values()) {
            registry.counter(RECONCILIATIONS, "outcome", o.name().toLowerCase());
        }
        registry.counter(STATUS_WRITES, "outcome", "written");
        registry.counter(STATUS_WRITES, "outcome", "failed");
    }
}
