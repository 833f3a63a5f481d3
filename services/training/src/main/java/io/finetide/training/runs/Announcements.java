package io.finetide.training.runs;

import io.finetide.model.train.Trainer;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.EpochSummary;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** What a finished run announces on the trained-models topic: the candidate, its lineage and its curves. */
final class Announcements {

    private Announcements() {
    }

    /**
     * @param task   the task as the model reads it (the snapshot's sequence length in)
     * @param parent the model it started from: the champion it continued, the teacher it learned from, or empty
     */
    static ModelTrainedEvent.Builder trained(TaskDefinitionEvent task, DatasetSnapshotEvent snapshot, String modelId,
            String parent, String artifact, RunData data, Trainer.Result result, long started, long finished) {
        return ModelTrainedEvent.newBuilder().setMeta(Events.meta(task.getName())).setModelId(modelId).setVersion(
                snapshot.getVersion()).setSnapshotId(snapshot.getSnapshotId()).setSnapshotArtifact(snapshot
                        .getArtifact())
                .setParentModelId(parent).setArtifact(artifact).setHyperParameters(task.getHyperParameters())
                .setModel(task.getModel()).addAllLabels(task.getLabelsList()).setValidationMetrics(Metrics
                        .newBuilder().setExamples(data.validationCount()).setAccuracy(result.best()
                                .validationScore()))
                .setTrainingMillis(finished - started).setTrainExamples(data.trainCount()).setSteps(result.steps())
                .setTask(task).addAllSnapshotSources(snapshot.getSourcesList()).addAllSnapshotTriggerReasons(snapshot
                        .getTriggerReasonsList())
                .addAllHistory(result.history().stream().map(e -> EpochSummary.newBuilder().setEpoch(e.epoch())
                        .setTrainLoss(e.trainLoss()).setValidationLoss(e.validationLoss()).setValidationScore(e
                                .validationScore())
                        .setMillis(e.millis()).build()).toList())
                .setBestEpoch(result.bestEpoch()).setSequenceLength(snapshot.getSequenceLength());
    }
}
