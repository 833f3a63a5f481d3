package io.finetide.training.runs;

import org.jboss.logging.Logger;

import io.finetide.model.train.TrainingListener;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;

/**
 * Announces a run's progress on {@code finetide.training.progress}: started (or resumed), a tenth of an epoch at a time
 * (and at least every {@value #QUIET_MILLIS} ms), each epoch; the caller announces the end. Every update goes to the
 * run's gauges and to {@link LiveRuns}.
 */
final class ProgressReporter implements TrainingListener {

    /** The longest a run stays silent on the topic while it makes updates. */
    static final long QUIET_MILLIS = 30_000;

    private static final Logger LOG = Logger.getLogger(ProgressReporter.class);

    private final EventPublisher publisher;
    private final TrainingMetrics metrics;
    private final String task;
    private final String modelId;
    private final DatasetSnapshotEvent snapshot;
    private final String parent;
    private final String start;
    private final int validationCount;
    private final LiveRuns live;
    private long every = 1;
    private long lastPublished = System.currentTimeMillis();

    /**
     * @param parent the champion continued, or empty
     * @param base   the base started from when no champion is continued
     */
    ProgressReporter(EventPublisher publisher, TrainingMetrics metrics, String task, String modelId,
            DatasetSnapshotEvent snapshot, String parent, String base, int validationCount, LiveRuns live) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.task = task;
        this.modelId = modelId;
        this.snapshot = snapshot;
        this.parent = parent;
        this.start = parent.isEmpty() ? "from base " + base : "continuing from " + parent;
        this.validationCount = validationCount;
        this.live = live;
    }

    TrainingProgressEvent.Builder event() {
        return TrainingProgressEvent.newBuilder().setMeta(Events.meta(task)).setRunId(modelId).setSnapshotId(snapshot
                .getSnapshotId()).setParentModelId(parent);
    }

    @Override
    public void started(int epochCount, long totalSteps, int trainExamples) {
        every = Math.max(1, totalSteps / Math.max(1, epochCount) / 10);
        metrics.runStarted(task);
        publisher.progress(event().setPhase(TrainingProgressEvent.Phase.STARTED).setEpochs(epochCount).setTotalSteps(
                totalSteps).setMessage(
                        trainExamples + " training and " + validationCount + " validation examples, "
                                + start)
                .build());
    }

    @Override
    public void resumed(long step, int epoch) {
        metrics.resumed(task);
        LOG.infof("%s resumes from its checkpoint: %d steps done, epoch %d", modelId, step, epoch);
        publisher.progress(event().setPhase(TrainingProgressEvent.Phase.STARTED).setStep(step).setEpoch(epoch)
                .setMessage("resumed from the checkpoint at step " + step + " (epoch " + epoch + ")").build());
    }

    @Override
    public void stepped(Steps s) {
        metrics.stepped(task, s);
        live.update(modelId, s);
        long now = System.currentTimeMillis();
        if (s.step() % every == 0 || now - lastPublished >= QUIET_MILLIS) {
            lastPublished = now;
            double eta = s.etaSeconds();
            publisher.progress(event().setPhase(TrainingProgressEvent.Phase.STEPS).setEpoch(s.epoch()).setEpochs(s
                    .epochs()).setStep(s.step()).setTotalSteps(s.totalSteps()).setTrainLoss(s.trainLoss())
                    .setFraction(s.fraction()).setExamplesPerSecond(s.examplesPerSecond()).setLearningRate(s
                            .learningRate())
                    .setEtaSeconds(Double.isNaN(eta) ? -1 : eta).build());
        }
    }

    @Override
    public void checkpointed(long step) {
        metrics.checkpointed(task);
    }

    @Override
    public void epochEnded(Epoch e) {
        LOG.infof("%s epoch %d/%d: train loss %.4f, validation loss %.4f, validation score %.4f%s", modelId, e.epoch(),
                e.epochs(), e.trainLoss(), e.validationLoss(), e.validationScore(), e.best() ? " (best so far)" : "");
        metrics.epochEnded(task, e);
        lastPublished = System.currentTimeMillis();
        publisher.progress(event().setPhase(TrainingProgressEvent.Phase.EPOCH_END).setEpoch(e.epoch()).setEpochs(e
                .epochs()).setStep(e.step()).setTotalSteps(e.totalSteps()).setTrainLoss(e.trainLoss())
                .setValidationLoss(e.validationLoss()).setValidationAccuracy(e.validationScore())
                .setFraction(e.totalSteps() == 0 ? 1 : e.step() / (double) e.totalSteps()).build());
    }
}
