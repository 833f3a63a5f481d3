package io.finetide.training.runs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.events.Hashing;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.StoreRetry;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.privacy.PrivacyBudget;
import io.finetide.training.privacy.PrivacyBudgetExhaustedException;
import io.finetide.training.store.TrainingRunRecord;
import io.finetide.training.store.TrainingRunStore;
import io.quarkus.runtime.Startup;

/**
 * Trains one candidate per dataset snapshot: from the task's current champion when it has one with the same shape
 * (incremental fine-tuning), else from freshly initialised weights; a private task's run with DP-SGD, charged to the
 * task's privacy budget first ({@link PrivacyBudget}). Saves a self-describing bundle to the artifact
 * store and announces it.
 */
// Created at startup, not on the first candidate: it registers the gauge of known champions.
@Startup
@ApplicationScoped
public class TrainingService {

    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    @Inject
    Directory directory;

    @Inject
    RunSetup setup;

    @Inject
    TrainingRunStore runs;

    @Inject
    ArtifactStore artifacts;

    @Inject
    EventPublisher publisher;

    @Inject
    TrainingMetrics metrics;

    @Inject
    TrainingServiceConfig config;

    @Inject
    LiveRuns live;

    @Inject
    PrivacyBudget privacy;

    @jakarta.annotation.PostConstruct
    void registerGauges() {
        metrics.watchChampions(directory.champions());
    }

    public void onSnapshot(DatasetSnapshotEvent snapshot) {
        Events.requireSupported(snapshot.getMeta());
        String taskName = snapshot.getMeta().getTask();
        Optional<TrainingRunRecord> previous = runs.find(snapshot.getSnapshotId());
        // RUNNING here means an earlier attempt died part-way (one consumer thread trains at a time): redo it.
        if (previous.isPresent() && previous.get().status().equals(TrainingRunRecord.COMPLETED)) {
            LOG.infof("snapshot %s was already trained into %s; ignoring the replay", snapshot.getSnapshotId(),
                    previous.get().modelId());
            metrics.skipped(previous.get().task());
            return;
        }
        String digest = Hashing.sha256Hex(snapshot.toByteArray());
        if (previous.isPresent() && previous.get().status().equals(TrainingRunRecord.FAILED) && !previous.get()
                .startedBy(digest)) {
            // A replay of the failed event (from the dead-letter topic, after a fix) is retried; another event under
            // the same snapshot id is a corrupted or forged copy, and retrying it would only fail again.
            throw new RejectedException(ReasonCode.PROCESSING_FAILED, "snapshot " + snapshot.getSnapshotId()
                    + " failed to train (" + previous.get().message() + "); this event is not the one that announced "
                    + "it, and only a replay of that one is retried");
        }
        TaskDefinitionEvent task = directory.awaitTask(taskName, Duration.ofSeconds(config.taskWaitSeconds()));
        String modelId = Models.modelId(taskName, snapshot.getVersion());
        long started = System.currentTimeMillis();
        TrainingRunRecord run = new TrainingRunRecord(snapshot.getSnapshotId(), taskName, modelId,
                TrainingRunRecord.RUNNING, "", started, 0, List.of(), "", digest);
        runs.put(run);
        try {
            train(task, snapshot, modelId, started, digest);
            metrics.runEnded(taskName, "completed", System.currentTimeMillis() - started);
        } catch (PrivacyBudgetExhaustedException e) {
            // Refused before its first update: nothing was trained, nothing charged; a replay is refused again.
            LOG.warnf("training on %s refused: %s", snapshot.getSnapshotId(), e.getMessage());
            failed(run, snapshot, started, e.getMessage());
            throw new RejectedException(ReasonCode.PRIVACY_BUDGET_EXHAUSTED, e.getMessage());
        } catch (RuntimeException e) {
            live.ended(modelId);
            if (StoreRetry.isStoreFailure(e)) {
                throw e; // the store, not the run, failed: the consumer retries the whole (idempotent) unit
            }
            LOG.errorf(e, "training on %s failed", snapshot.getSnapshotId());
            failed(run, snapshot, started, String.valueOf(e.getMessage()));
            throw new RejectedException(ReasonCode.PROCESSING_FAILED, "training failed: " + e.getMessage());
        }
    }

    private void failed(TrainingRunRecord run, DatasetSnapshotEvent snapshot, long started, String reason) {
        String taskName = run.task();
        runs.put(new TrainingRunRecord(run.snapshotId(), taskName, run.modelId(), TrainingRunRecord.FAILED, "",
                started, System.currentTimeMillis(), List.of(), reason, run.eventDigest()));
        publisher.progress(TrainingProgressEvent.newBuilder().setMeta(Events.meta(taskName)).setRunId(run.modelId())
                .setSnapshotId(snapshot.getSnapshotId()).setPhase(TrainingProgressEvent.Phase.FAILED).setMessage(
                        reason)
                .build());
        metrics.runEnded(taskName, "failed", System.currentTimeMillis() - started);
    }

    private void train(TaskDefinitionEvent declared, DatasetSnapshotEvent snapshot, String modelId, long started,
            String digest) {
        // The model, its event and its card say the length the snapshot chose.
        TaskDefinitionEvent task = SequenceLengths.readAt(declared, snapshot.getSequenceLength());
        String taskName = task.getName();
        try (PreparedRun prepared = setup.prepare(task, snapshot)) {
            // Charged before the first update, so that a refused run trains nothing.
            Optional<PrivacyBudget.Charge> charge = privacy.charge(task, snapshot.getSnapshotId(), modelId, prepared
                    .data().trainCount(), prepared.hp());
            PreparedRun run = charge.map(c -> prepared.withHp(prepared.hp().toBuilder().privacy(c.dpSgd()).build()))
                    .orElse(prepared);
            RunData data = run.data();
            TrainingConfig hp = run.hp();
            Strategy strategy = run.strategy();
            Tokenizer tokenizer = run.tokenizer();
            TransformerConfig modelConfig = run.modelConfig();
            String parent = run.parent();
            ProgressReporter progress = new ProgressReporter(publisher, metrics, taskName, modelId, snapshot, parent,
                    run.base().name(), data.validationCount(), live);
            // Named by the snapshot's content too: a model id comes back if a task is deleted and made again, and its
            // new data must never continue an old run's checkpoint.
            String hash = snapshot.getContentHash();
            String runName = hash.isEmpty() ? modelId : modelId + "-" + hash.substring(0, Math.min(16, hash.length()));
            Path checkpointDir = config.checkpointDir().filter(d -> !d.isBlank()).map(d -> Path.of(d, runName))
                    .orElse(null);
            Trainer.Result result = run.fit(progress, Optional.ofNullable(checkpointDir), config
                    .checkpointEverySteps());

            BundleProvenance provenance = new BundleProvenance(modelId, taskName, snapshot.getSnapshotId(), snapshot
                    .getContentHash(), parent, run.base().name(), result.bestEpoch(), result.best().validationScore(),
                    hp
                            .toString(),
                    strategy.name());
            ModelBundle trained = new ModelBundle(modelConfig, tokenizer.name(), tokenizer.maxLength(), tokenizer
                    .truncation(), data.outputs(), result.weights(), tokenizer.json(), provenance.metadata());
            ModelBundle bundle = TemperatureFit.calibrated(data.described(trained), data, config.threads());
            String artifact = Models.artifact(taskName, modelId);
            artifacts.putOnce(artifact, bundle.toBytes(), Map.of("task", taskName, "model", modelId));

            long finished = System.currentTimeMillis();
            publisher.progress(progress.event().setPhase(TrainingProgressEvent.Phase.FINISHED).setEpoch(result
                    .bestEpoch()).setStep(result.steps()).setValidationAccuracy(result.best().validationScore())
                    .setMessage("best epoch " + result.bestEpoch() + " of " + result.history().size()).build());
            ModelTrainedEvent.Builder announced = Announcements.trained(task, snapshot, modelId, parent, artifact,
                    data, result, started, finished);
            charge.ifPresent(c -> announced.setPrivacySpend(c.spend()));
            publisher.trained(announced.build());
            // From the result, not the callbacks: a resumed run's earlier epochs come from its checkpoint.
            List<TrainingRunRecord.Epoch> epochs = result.history().stream().map(e -> new TrainingRunRecord.Epoch(e
                    .epoch(), e.trainLoss(), e.validationLoss(), e.validationScore(), e.millis())).toList();
            // Marked completed only once announced: a crash in between retrains (same model id), never loses it.
            runs.put(new TrainingRunRecord(snapshot.getSnapshotId(), taskName, modelId, TrainingRunRecord.COMPLETED,
                    parent, started, finished, epochs, "best epoch " + result.bestEpoch(), digest));
            live.ended(modelId);
            if (checkpointDir != null) {
                PreparedRun.removeCheckpoint(checkpointDir);
            }
            LOG.infof("trained %s on %s in %d ms: validation accuracy %.4f", modelId, snapshot.getSnapshotId(),
                    finished - started, result.best().validationScore());
        }
    }
}
