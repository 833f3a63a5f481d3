package io.finetide.training.runs;

import org.jboss.logging.Logger;

import io.finetide.model.train.TrainingListener;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;

/** Announces a run's progress on {@code finetide.training.progress}: started (or resumed), each epoch, finished. */
final class ProgressReporter implements TrainingListener {

    private static final Logger LOG = Logger.getLogger(ProgressReporter.class);

    private final EventPublisher publisher;
    private final TrainingMetrics metrics;
    private final String task;
    private final String modelId;
    private final DatasetSnapshotEvent snapshot;
    private final String parent;
    private final String start;
    private final int validationCount;

    /**
     * @param parent the champion continued, or empty
     * @param base   the base started from when no champion is continued
     */
    ProgressReporter(EventPublisher publisher, TrainingMetrics metrics, String task, String modelId,
            DatasetSnapshotEvent snapshot, String parent, String base, int validationCount) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.task = task;
        this.modelId = modelId;
        this.snapshot = snapshot;
        this.parent = parent;
        this.start = parent.isEmpty() ? "from base " + base : "continuing from " + parent;
        this.validationCount = validationCount;
    }

    TrainingProgressEvent.Builder event() {
        return TrainingProgressEvent.newBuilder().setMeta(Events.meta(task)).setRunId(modelId).setSnapshotId(snapshot
                .getSnapshotId()).setParentModelId(parent);
    }

    @Override
    public void started(int epochCount, long totalSteps, int trainExamples) {
        publisher.progress(event().setPhase(TrainingProgressEvent.Phase.STARTED).setEpochs(epochCount).setTotalSteps(
                totalSteps).setMessage(
                        trainExamples + " training and " + validationCount + " validation examples, "
                                + start)
                .build());
    }

    @Override
    public void resumed(long step, int epoch) {
        metrics.resumed();
        LOG.infof("%s resumes from its checkpoint: %d steps done, epoch %d", modelId, step, epoch);
        publisher.progress(event().setPhase(TrainingProgressEvent.Phase.STARTED).setStep(step).setEpoch(epoch)
                .setMessage("resumed from the checkpoint at step " + step + " (epoch " + epoch + ")").build());
    }

    @Override
    public void epochEnded(Epoch e) {
        publisher.progress(event().setPhase(TrainingProgressEvent.Phase.EPOCH_END).setEpoch(e.epoch()).setEpochs(e
                .epochs()).setStep(e.step()).setTotalSteps(e.totalSteps()).setTrainLoss(e.trainLoss())
                .setValidationLoss(e.validationLoss()).setValidationAccuracy(e.validationScore()).build());
    }
}
