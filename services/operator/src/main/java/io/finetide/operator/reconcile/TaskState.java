package io.finetide.operator.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.finetide.operator.resource.ConditionType;
import io.finetide.operator.resource.FineTuningTaskStatus;
import io.finetide.operator.resource.FineTuningTaskStatus.Champion;
import io.finetide.operator.resource.FineTuningTaskStatus.Condition;
import io.finetide.operator.resource.FineTuningTaskStatus.Snapshot;
import io.finetide.operator.tasks.TaskApplication;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.proto.v1.TrainingProgressEvent;

/**
 * What the operator knows of one task: the last apply of its resource and what the pipeline announced (snapshots,
 * training progress, promotions, rollbacks), turned into the resource's status. Conditions keep their transition time
 * while their status stays the same. Not thread-safe: {@link TaskStates} serialises access.
 */
final class TaskState {

    private long observedGeneration;
    private int revision;
    private TaskApplication application;
    private Champion champion;
    private Snapshot lastSnapshot;
    private String lastPromotionTime;
    private TrainingProgressEvent lastRun;
    private ModelRolledBackEvent rollback;
    private final Map<ConditionType, Condition> conditions = new EnumMap<>(ConditionType.class);

    void applied(long generation, TaskApplication result, Instant now) {
        observedGeneration = generation;
        application = result;
        if (result.outcome().applied()) {
            revision = result.revision();
        }
        refresh(now);
    }

    void snapshot(DatasetSnapshotEvent e, Instant now) {
        lastSnapshot = new Snapshot(e.getSnapshotId(), e.getVersion(), time(e.getMeta().getOccurredAtMs()));
        refresh(now);
    }

    void progress(TrainingProgressEvent e, Instant now) {
        lastRun = e;
        refresh(now);
    }

    void promoted(ModelPromotedEvent e, Instant now) {
        champion = new Champion(e.getModelId(), e.getVersion(), e.getTestMacroF1(), e.getTestAccuracy(), e
                .getSnapshotId());
        lastPromotionTime = time(e.getMeta().getOccurredAtMs());
        // A restored champion answers a rollback; only a new model clears it.
        if (e.getRestoredAfter().isEmpty()) {
            rollback = null;
        }
        refresh(now);
    }

    void rolledBack(ModelRolledBackEvent e, Instant now) {
        rollback = e;
        refresh(now);
    }

    FineTuningTaskStatus status() {
        List<Condition> list = new ArrayList<>(conditions.values());
        return new FineTuningTaskStatus(application == null ? null : observedGeneration, revision == 0
                ? null
                : revision, champion, lastSnapshot, lastPromotionTime, list.isEmpty() ? null : list);
    }

    private void refresh(Instant now) {
        if (application != null) {
            set(ConditionType.READY, ready(), now);
        }
        set(ConditionType.TRAINING, training(), now);
        set(ConditionType.DEGRADED, degraded(), now);
    }

    private Condition ready() {
        return switch (application.outcome()) {
            case CREATED, APPLIED -> condition(ConditionType.READY, "True", "Applied", "revision " + revision
                    + " of the task is the platform's");
            case REFUSED -> condition(ConditionType.READY, "False", "InvalidSpec", application.message());
            case UNREACHABLE -> condition(ConditionType.READY, "Unknown", "IngestionUnreachable", application
                    .message());
        };
    }

    private Condition training() {
        if (lastRun == null) {
            return condition(ConditionType.TRAINING, "False", "NoRun", "no training run seen yet");
        }
        String run = "run " + lastRun.getRunId() + " on snapshot " + lastRun.getSnapshotId();
        return switch (lastRun.getPhase()) {
            case FINISHED -> condition(ConditionType.TRAINING, "False", "RunFinished", run + " finished");
            case FAILED -> condition(ConditionType.TRAINING, "False", "RunFailed", run + " failed: " + lastRun
                    .getMessage());
            default -> condition(ConditionType.TRAINING, "True", "RunInProgress", run + " in progress (epoch "
                    + lastRun.getEpoch() + " of " + lastRun.getEpochs() + ")");
        };
    }

    private Condition degraded() {
        if (rollback != null) {
            return condition(ConditionType.DEGRADED, "True", "RolledBack", "model " + rollback.getModelId()
                    + " was taken out of service for " + rollback.getRestoredModelId() + ": " + rollback
                            .getReason());
        }
        if (lastRun != null && lastRun.getPhase() == TrainingProgressEvent.Phase.FAILED) {
            return condition(ConditionType.DEGRADED, "True", "TrainingFailed", "run " + lastRun.getRunId()
                    + " failed: " + lastRun.getMessage());
        }
        return condition(ConditionType.DEGRADED, "False", "Healthy", "no failed run or rollback since the last "
                + "promotion");
    }

    private void set(ConditionType type, Condition next, Instant now) {
        Condition previous = conditions.get(type);
        String since = previous != null && previous.status().equals(next.status())
                ? previous.lastTransitionTime()
                : now.toString();
        conditions.put(type, new Condition(next.type(), next.status(), next.reason(), next.message(), since));
    }

    private static Condition condition(ConditionType type, String status, String reason, String message) {
        return new Condition(type.kubernetesName(), status, reason, message, null);
    }

    private static String time(long epochMs) {
        return epochMs == 0 ? null : Instant.ofEpochMilli(epochMs).toString();
    }
}
