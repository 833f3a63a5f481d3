package io.finetide.training.domain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.pretrained.HuggingFaceFolder;
import io.finetide.model.pretrained.PretrainedEncoders;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.ForeignCheckpointException;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.model.train.TrainingListener;
import io.finetide.model.transformer.HeadSpec;
import io.finetide.model.transformer.Pooling;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.model.transformer.Weights;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.labeling.Bio;
import io.finetide.platform.local.LocalPaths;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.store.StoreRetry;
import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.store.TrainingRunRecord;
import io.finetide.training.store.TrainingRunStore;

/**
 * Trains one candidate per dataset snapshot: from the task's current champion when it has one with the same shape
 * (incremental fine-tuning), else from freshly initialised weights. Saves a self-describing bundle to the artifact
 * store and announces it.
 */
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

    @jakarta.annotation.PostConstruct
    void registerGauges() {
        metrics.watchChampions(directory.champions());
    }

    public Directory directory() {
        return directory;
    }

    public void onSnapshot(DatasetSnapshotEvent snapshot) {
        Events.requireSupported(snapshot.getMeta());
        String taskName = snapshot.getMeta().getTask();
        Optional<TrainingRunRecord> previous = runs.find(snapshot.getSnapshotId());
        // RUNNING here means an earlier attempt died part-way (one consumer thread trains at a time): redo it.
        if (previous.isPresent() && previous.get().status().equals(TrainingRunRecord.COMPLETED)) {
            LOG.infof("snapshot %s was already trained into %s; ignoring the replay", snapshot.getSnapshotId(),
                    previous.get().modelId());
            metrics.run("skipped");
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
            metrics.run("completed");
        } catch (RuntimeException e) {
            if (StoreRetry.isStoreFailure(e)) {
                throw e; // the store, not the run, failed: the consumer retries the whole (idempotent) unit
            }
            LOG.errorf(e, "training on %s failed", snapshot.getSnapshotId());
            runs.put(new TrainingRunRecord(run.snapshotId(), taskName, modelId, TrainingRunRecord.FAILED, "",
                    started, System.currentTimeMillis(), List.of(), String.valueOf(e.getMessage())));
            publisher.progress(TrainingProgressEvent.newBuilder().setMeta(Events.meta(taskName)).setRunId(modelId)
                    .setSnapshotId(snapshot.getSnapshotId()).setPhase(TrainingProgressEvent.Phase.FAILED)
                    .setMessage(String.valueOf(e.getMessage())).build());
            metrics.run("failed");
            throw new RejectedException(ReasonCode.PROCESSING_FAILED, "training failed: " + e.getMessage());
        }
    }

    private void train(TaskDefinitionEvent task, DatasetSnapshotEvent snapshot, String modelId, long started) {
        String taskName = task.getName();
        List<SnapshotFile.Row> rows = SnapshotFile.read(artifacts.require(snapshot.getArtifact()));
        // A token-classification task's model labels every word with a BIO tag: O, then B- and I- of each type.
        boolean tagging = task.getType() == TaskType.TOKEN_CLASSIFICATION;
        List<String> outputs = tagging ? Bio.tags(task.getLabelsList()) : task.getLabelsList();
        List<LabelledText> train = tagging ? List.of() : labelled(rows, Split.TRAIN, task);
        List<LabelledText> validation = tagging ? List.of() : labelled(rows, Split.VALIDATION, task);
        List<TaggedWords> trainTagged = tagging ? tagged(rows, Split.TRAIN, outputs) : List.of();
        List<TaggedWords> validationTagged = tagging ? tagged(rows, Split.VALIDATION, outputs) : List.of();
        int trainCount = tagging ? trainTagged.size() : train.size();
        int validationCount = tagging ? validationTagged.size() : validation.size();
        String baseModel = task.getModel().getBaseModel();
        // An uploaded base (user/<name>) brings its own tokenizer and weights from the artifact store.
        Optional<String> uploaded = BaseModelArtifacts.uploadedName(baseModel);
        TrainingConfig hp = Models.training(task.getHyperParameters(), config.patience(), config.threads());
        HuggingFaceFolder.Loaded upload = uploaded.map(n -> baseModels.load(n, outputs.size(), tagging, task
                .getHyperParameters().getDropout(), hp.seed())).orElse(null);
        // The task's truncation policy shapes training, and travels in the bundle so that serving cuts the same way.
        try (Tokenizer encoder = upload != null
                ? Tokenizer.fromJson(baseModel, upload.tokenizerJson(), task.getModel().getMaxSeqLen(), Models
                        .truncation(task))
                : Tokenizer.builtin(task.getModel().getTokenizer(), task.getModel().getMaxSeqLen(), Models
                        .truncation(task))) {
            boolean random = baseModel.equals(BaseCatalogue.BASE_RANDOM);
            HeadSpec head = tagging
                    ? HeadSpec.tokens(outputs.size())
                    : HeadSpec.sequence(outputs.size(), random
                            ? Pooling.MEAN
                            : upload != null
                                    ? upload.config().pooling()
                                    : PretrainedEncoders.base(baseModel).pooling());
            // The configuration first, from the declared shape: reading the base's weights (a 90-130 MB file) is only
            // needed when there is no champion of that configuration to continue from.
            TransformerConfig encoderConfig = random
                    ? Models.encoder(task, encoder.vocabSize(), head)
                    : upload != null
                            ? upload.config()
                            : PretrainedEncoders.config(baseModel, head, task
                                    .getHyperParameters().getDropout());
            String parentModelId = "";
            Weights initial = null;
            Optional<ModelPromotedEvent> champion = directory.champions().get(taskName);
            if (champion.isPresent()) {
                ModelBundle parent = ModelBundle.fromBytes(artifacts.require(champion.get().getArtifact()));
                if (parent.config().equals(encoderConfig) && parent.labels().equals(outputs)) {
                    initial = parent.weights();
                    parentModelId = champion.get().getModelId();
                } else {
                    LOG.warnf("champion %s has another shape than task %s now; training from the base",
                            champion.get().getModelId(), taskName);
                }
            }
            if (initial == null) {
                initial = random
                        ? Weights.initialise(encoderConfig, hp.seed())
                        : upload != null
                                ? upload.weights()
                                : PretrainedEncoders.load(baseModel, head, task
                                        .getHyperParameters().getDropout(), hp.seed()).weights();
            }
            final String parent = parentModelId;
            TrainingListener listener = new TrainingListener() {
                @Override
                public void started(int epochCount, long totalSteps, int trainExamples) {
                    publisher.progress(progress(taskName, modelId, snapshot, parent)
                            .setPhase(TrainingProgressEvent.Phase.STARTED).setEpochs(epochCount)
                            .setTotalSteps(totalSteps)
                            .setMessage(trainExamples + " training and " + validationCount
                                    + " validation examples, " + (parent.isEmpty()
                                            ? "from base " + baseModel
                                            : "continuing from " + parent))
                            .build());
                }

                @Override
                public void resumed(long step, int epoch) {
                    metrics.resumed();
                    LOG.infof("%s resumes from its checkpoint: %d steps done, epoch %d", modelId, step, epoch);
                    publisher.progress(progress(taskName, modelId, snapshot, parent)
                            .setPhase(TrainingProgressEvent.Phase.STARTED).setStep(step).setEpoch(epoch)
                            .setMessage("resumed from the checkpoint at step " + step + " (epoch " + epoch + ")")
                            .build());
                }

                @Override
                public void epochEnded(Epoch e) {
                    publisher.progress(progress(taskName, modelId, snapshot, parent)
                            .setPhase(TrainingProgressEvent.Phase.EPOCH_END).setEpoch(e.epoch())
                            .setEpochs(e.epochs()).setStep(e.step()).setTotalSteps(e.totalSteps())
                            .setTrainLoss(e.trainLoss()).setValidationLoss(e.validationLoss())
                            .setValidationAccuracy(e.validationAccuracy()).build());
                }
            };
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
                result = fit(encoderConfig, initial, encoder, train, validation, trainTagged, validationTagged,
                        outputs, hp, strategy, listener, checkpoints);
            } catch (ForeignCheckpointException e) {
                if (checkpointDir == null) {
                    throw e;
                }
                // The task changed between the killed attempt and this one: its checkpoint is of no use.
                LOG.warnf("the checkpoint of %s is of another configuration; training from the start", modelId);
                deleteTree(checkpointDir);
                result = fit(encoderConfig, initial, encoder, train, validation, trainTagged, validationTagged,
                        outputs, hp, strategy, listener, checkpoints);
            }

            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("modelId", modelId);
            metadata.put("task", taskName);
            metadata.put("snapshotId", snapshot.getSnapshotId());
            metadata.put("snapshotSha256", snapshot.getContentHash());
            metadata.put("parentModelId", parent);
            metadata.put("baseModel", baseModel);
            metadata.put("bestEpoch", result.bestEpoch());
            metadata.put("validationAccuracy", result.best().validationAccuracy());
            metadata.put("hyperParameters", hp.toString());
            metadata.put("strategy", strategy.name());
            ModelBundle bundle = new ModelBundle(encoderConfig, encoder.name(), encoder.maxLength(), encoder
                    .truncation(),
                    outputs, result.weights(), encoder.json(), metadata);
            String artifact = Models.artifact(taskName, modelId);
            artifacts.putOnce(artifact, bundle.toBytes(), Map.of("task", taskName, "model", modelId));

            long finished = System.currentTimeMillis();
            publisher.progress(progress(taskName, modelId, snapshot, parent)
                    .setPhase(TrainingProgressEvent.Phase.FINISHED).setEpoch(result.bestEpoch())
                    .setStep(result.steps()).setValidationAccuracy(result.best().validationAccuracy())
                    .setMessage("best epoch " + result.bestEpoch() + " of " + result.history().size()).build());
            publisher.trained(ModelTrainedEvent.newBuilder().setMeta(Events.meta(taskName)).setModelId(modelId)
                    .setVersion(snapshot.getVersion()).setSnapshotId(snapshot.getSnapshotId())
                    .setSnapshotArtifact(snapshot.getArtifact())
                    .setParentModelId(parent).setArtifact(artifact)
                    .setHyperParameters(task.getHyperParameters()).setModel(task.getModel())
                    .addAllLabels(task.getLabelsList())
                    .setValidationMetrics(Metrics.newBuilder().setExamples(validationCount)
                            .setAccuracy(result.best().validationAccuracy()))
                    .setTrainingMillis(finished - started).setTrainExamples(trainCount).setSteps(result.steps())
                    .build());
            // From the result, not the callbacks: a resumed run's earlier epochs come from its checkpoint.
            List<TrainingRunRecord.Epoch> epochs = result.history().stream().map(e -> new TrainingRunRecord.Epoch(e
                    .epoch(), e.trainLoss(), e.validationLoss(), e.validationAccuracy(), e.millis())).toList();
            // Marked completed only once announced: a crash in between retrains (same model id), never loses it.
            runs.put(new TrainingRunRecord(snapshot.getSnapshotId(), taskName, modelId, TrainingRunRecord.COMPLETED,
                    parent, started, finished, epochs, "best epoch " + result.bestEpoch()));
            metrics.completed(result.millis(), result.steps());
            if (checkpointDir != null) {
                deleteTree(checkpointDir);
            }
            LOG.infof("trained %s on %s in %d ms: validation accuracy %.4f", modelId, snapshot.getSnapshotId(),
                    finished - started, result.best().validationAccuracy());
        }
    }

    private static void deleteTree(Path dir) {
        try {
            LocalPaths.deleteTree(dir);
        } catch (java.io.UncheckedIOException e) {
            // A stale checkpoint only costs disk: the next run of the same model id refuses or resumes it.
            LOG.warnf(e, "cannot remove the checkpoint %s", dir);
        }
    }

    private static TrainingProgressEvent.Builder progress(String task, String modelId, DatasetSnapshotEvent s,
            String parent) {
        return TrainingProgressEvent.newBuilder().setMeta(Events.meta(task)).setRunId(modelId)
                .setSnapshotId(s.getSnapshotId()).setParentModelId(parent);
    }

    /** A sequence task trains on labelled texts, a tagging task on tagged words (the best epoch by entity F1). */
    private static Trainer.Result fit(TransformerConfig config, Weights initial, Tokenizer encoder,
            List<LabelledText> train, List<LabelledText> validation, List<TaggedWords> trainTagged,
            List<TaggedWords> validationTagged, List<String> outputs, TrainingConfig hp, Strategy strategy,
            TrainingListener listener, Checkpoint.Store checkpoints) {
        return config.tokenClassification()
                ? Trainer.trainTokens(config, initial, encoder, trainTagged, validationTagged, outputs, hp, strategy,
                        listener, checkpoints)
                : Trainer.train(config, initial, encoder, train, validation, hp, strategy, listener, checkpoints);
    }

    /** The split's tagged examples; a row with a tag the model does not have is left out. */
    static List<TaggedWords> tagged(List<SnapshotFile.Row> rows, Split split, List<String> tags) {
        List<TaggedWords> out = new ArrayList<>();
        for (SnapshotFile.Row r : SnapshotFile.split(rows, split)) {
            int[] ids = r.tags().stream().mapToInt(tags::indexOf).toArray();
            if (!r.tokens().isEmpty() && r.tokens().size() == ids.length && java.util.Arrays.stream(ids).allMatch(
                    i -> i >= 0)) {
                out.add(new TaggedWords(r.tokens(), ids));
            }
        }
        return out;
    }

    static List<LabelledText> labelled(List<SnapshotFile.Row> rows, Split split, TaskDefinitionEvent task) {
        List<LabelledText> out = new ArrayList<>();
        for (SnapshotFile.Row r : SnapshotFile.split(rows, split)) {
            int label = task.getLabelsList().indexOf(r.label());
            if (label >= 0) {
                out.add(new LabelledText(r.text(), label));
            }
        }
        return out;
    }
}
