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
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.ForeignCheckpointException;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.files.FileTrees;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.store.StoreRetry;
import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.EpochSummary;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.training.bases.BaseModels;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.store.TrainingRunRecord;
import io.finetide.training.store.TrainingRunStore;
import io.quarkus.runtime.Startup;

/**
 * Trains one candidate per dataset snapshot: from the task's current champion when it has one with the same shape
 * (incremental fine-tuning), else from freshly initialised weights. Saves a self-describing bundle to the artifact
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
    BaseModels baseModels;

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
        TaskDefinitionEvent task = directory.awaitTask(taskName, Duration.ofSeconds(config.taskWaitSeconds()));
        String modelId = Models.modelId(taskName, snapshot.getVersion());
        long started = System.currentTimeMillis();
        TrainingRunRecord run = new TrainingRunRecord(snapshot.getSnapshotId(), taskName, modelId,
                TrainingRunRecord.RUNNING, "", started, 0, List.of(), "");
        runs.put(run);
        try {
            train(task, snapshot, modelId, started);
            metrics.runEnded(taskName, "completed", System.currentTimeMillis() - started);
        } catch (RuntimeException e) {
            live.ended(modelId);
            if (StoreRetry.isStoreFailure(e)) {
                throw e; // the store, not the run, failed: the consumer retries the whole (idempotent) unit
            }
            LOG.errorf(e, "training on %s failed", snapshot.getSnapshotId());
            runs.put(new TrainingRunRecord(run.snapshotId(), taskName, modelId, TrainingRunRecord.FAILED, "",
                    started, System.currentTimeMillis(), List.of(), String.valueOf(e.getMessage())));
            publisher.progress(TrainingProgressEvent.newBuilder().setMeta(Events.meta(taskName)).setRunId(modelId)
                    .setSnapshotId(snapshot.getSnapshotId()).setPhase(TrainingProgressEvent.Phase.FAILED)
                    .setMessage(String.valueOf(e.getMessage())).build());
            metrics.runEnded(taskName, "failed", System.currentTimeMillis() - started);
            throw new RejectedException(ReasonCode.PROCESSING_FAILED, "training failed: " + e.getMessage());
        }
    }

    private void train(TaskDefinitionEvent task, DatasetSnapshotEvent snapshot, String modelId, long started) {
        String taskName = task.getName();
        RunData data = RunData.of(task, SnapshotFile.read(artifacts.require(snapshot.getArtifact())));
        TrainingConfig hp = Models.training(task.getHyperParameters(), config.patience(), config.threads());
        Base base = base(task, data, hp.seed());
        try (Tokenizer tokenizer = base.tokenizer(task)) {
            HeadSpec head = data.tagging()
                    ? HeadSpec.tokens(data.outputs().size())
                    : HeadSpec.sequence(data.outputs().size(), base.pooling());
            // The configuration first, from the declared shape: the base's weights are only read when there is no
            // champion of that configuration to continue from.
            TransformerConfig modelConfig = base.config(task, tokenizer, head);
            Optional<Champion> champion = continuable(taskName, modelConfig, data.outputs());
            String parent = champion.map(Champion::modelId).orElse("");
            Weights initial = champion.map(c -> c.bundle().weights()).orElseGet(() -> base.weights(modelConfig, head,
                    task, hp.seed()));
            ProgressReporter progress = new ProgressReporter(publisher, metrics, taskName, modelId, snapshot, parent,
                    base.name(), data.validationCount(), live);
            Strategy strategy = Models.strategy(task.getHyperParameters());
            // Named by the snapshot's content too: a model id comes back if a task is deleted and made again, and its
            // new data must never continue an old run's checkpoint.
            String hash = snapshot.getContentHash();
            String runName = hash.isEmpty() ? modelId : modelId + "-" + hash.substring(0, Math.min(16, hash.length()));
            Path checkpointDir = config.checkpointDir().filter(d -> !d.isBlank()).map(d -> Path.of(d, runName))
                    .orElse(null);
            Checkpoint.Store checkpoints = checkpointDir == null
                    ? Checkpoint.Store.NONE
                    : Checkpoint.directory(checkpointDir, config.checkpointEverySteps());
            Trainer.Result result;
            try {
                result = data.fit(modelConfig, initial, tokenizer, hp, strategy, progress, checkpoints);
            } catch (ForeignCheckpointException e) {
                if (checkpointDir == null) {
                    throw e;
                }
                // The task changed between the killed attempt and this one: its checkpoint is of no use.
                LOG.warnf("the checkpoint of %s is of another configuration; training from the start", modelId);
                deleteTree(checkpointDir);
                result = data.fit(modelConfig, initial, tokenizer, hp, strategy, progress, checkpoints);
            }

            BundleProvenance provenance = new BundleProvenance(modelId, taskName, snapshot.getSnapshotId(), snapshot
                    .getContentHash(), parent, base.name(), result.bestEpoch(), result.best().validationScore(),
                    hp
                            .toString(),
                    strategy.name());
            ModelBundle bundle = TemperatureFit.calibrated(new ModelBundle(modelConfig, tokenizer.name(), tokenizer
                    .maxLength(), tokenizer.truncation(), data.outputs(), result.weights(), tokenizer.json(),
                    provenance.metadata()), data, config.threads());
            String artifact = Models.artifact(taskName, modelId);
            artifacts.putOnce(artifact, bundle.toBytes(), Map.of("task", taskName, "model", modelId));

            long finished = System.currentTimeMillis();
            publisher.progress(progress.event().setPhase(TrainingProgressEvent.Phase.FINISHED).setEpoch(result
                    .bestEpoch()).setStep(result.steps()).setValidationAccuracy(result.best().validationScore())
                    .setMessage("best epoch " + result.bestEpoch() + " of " + result.history().size()).build());
            publisher.trained(ModelTrainedEvent.newBuilder().setMeta(Events.meta(taskName)).setModelId(modelId)
                    .setVersion(snapshot.getVersion()).setSnapshotId(snapshot.getSnapshotId())
                    .setSnapshotArtifact(snapshot.getArtifact())
                    .setParentModelId(parent).setArtifact(artifact)
                    .setHyperParameters(task.getHyperParameters()).setModel(task.getModel())
                    .addAllLabels(task.getLabelsList())
                    .setValidationMetrics(Metrics.newBuilder().setExamples(data.validationCount())
                            .setAccuracy(result.best().validationScore()))
                    .setTrainingMillis(finished - started).setTrainExamples(data.trainCount()).setSteps(result
                            .steps())
                    .setTask(task).addAllSnapshotSources(snapshot.getSourcesList()).addAllSnapshotTriggerReasons(
                            snapshot.getTriggerReasonsList())
                    .addAllHistory(result.history().stream().map(e -> EpochSummary.newBuilder().setEpoch(e.epoch())
                            .setTrainLoss(e.trainLoss()).setValidationLoss(e.validationLoss()).setValidationScore(e
                                    .validationScore())
                            .setMillis(e.millis()).build()).toList())
                    .setBestEpoch(result.bestEpoch())
                    .build());
            // From the result, not the callbacks: a resumed run's earlier epochs come from its checkpoint.
            List<TrainingRunRecord.Epoch> epochs = result.history().stream().map(e -> new TrainingRunRecord.Epoch(e
                    .epoch(), e.trainLoss(), e.validationLoss(), e.validationScore(), e.millis())).toList();
            // Marked completed only once announced: a crash in between retrains (same model id), never loses it.
            runs.put(new TrainingRunRecord(snapshot.getSnapshotId(), taskName, modelId, TrainingRunRecord.COMPLETED,
                    parent, started, finished, epochs, "best epoch " + result.bestEpoch()));
            live.ended(modelId);
            if (checkpointDir != null) {
                deleteTree(checkpointDir);
            }
            LOG.infof("trained %s on %s in %d ms: validation accuracy %.4f", modelId, snapshot.getSnapshotId(),
                    finished - started, result.best().validationScore());
        }
    }

    /** The task's base: random, shipped, or uploaded (its folder read with the task's head). */
    private Base base(TaskDefinitionEvent task, RunData data, long seed) {
        String name = task.getModel().getBaseModel();
        if (name.equals(BaseCatalogue.BASE_RANDOM)) {
            return new Base.Random(name);
        }
        Optional<String> uploaded = BaseModelArtifacts.uploadedName(name);
        if (uploaded.isPresent()) {
            return new Base.Uploaded(name, baseModels.load(uploaded.get(), data.outputs().size(), data.tagging(), task
                    .getHyperParameters().getDropout(), seed));
        }
        return new Base.Shipped(name);
    }

    private record Champion(String modelId, ModelBundle bundle) {
    }

    /** The task's champion, when it still has the configuration and labels to continue from (incremental). */
    private Optional<Champion> continuable(String task, TransformerConfig modelConfig, List<String> outputs) {
        Optional<ModelPromotedEvent> champion = directory.champions().get(task);
        if (champion.isEmpty()) {
            return Optional.empty();
        }
        ModelBundle parent = ModelBundle.fromBytes(artifacts.require(champion.get().getArtifact()));
        if (parent.config().equals(modelConfig) && parent.labels().equals(outputs)) {
            return Optional.of(new Champion(champion.get().getModelId(), parent));
        }
        LOG.warnf("champion %s has another shape than task %s now; training from the base", champion.get()
                .getModelId(), task);
        return Optional.empty();
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (java.io.UncheckedIOException e) {
            // A stale checkpoint only costs disk: the next run of the same model id refuses or resumes it.
            LOG.warnf(e, "cannot remove the checkpoint %s", dir);
        }
    }
}
