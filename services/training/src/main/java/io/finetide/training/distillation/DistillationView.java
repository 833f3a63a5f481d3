package io.finetide.training.distillation;

import io.finetide.proto.v1.DistillationRequestedEvent;
import io.finetide.training.store.DistillationRecord;

/** A distillation as the API shows it. */
public record DistillationView(String requestId, String task, String state, String teacher, int studentLayers,
        double temperature, double hardWeight, DistillationRequest.Budget budget, String snapshotId, String modelId,
        String requestedBy, long requestedAtMs, long endedAtMs, String message) {

    public static DistillationView of(DistillationRecord r) {
        DistillationRequestedEvent e = r.request();
        DistillationRequest.Budget budget = new DistillationRequest.Budget(e.getBudget().getMaxLatencyRatio(), e
                .getBudget().getMaxBundleRatio());
        return new DistillationView(r.requestId(), r.task(), r.state().name(), e.getTeacherModelId(), e
                .getStudentLayers(), e.getTemperature(), e.getHardWeight(), budget, e.getSnapshotId(), r.modelId(),
                e
                        .getRequestedBy(),
                r.requestedAtMs(), r.endedAtMs(), r.message());
    }
}
