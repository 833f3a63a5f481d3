package io.finetide.training.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.distill.Students;
import io.finetide.model.heads.DistillationLoss;
import io.finetide.model.infer.Classifier;
import io.finetide.model.infer.Tagger;
import io.finetide.model.tokenizer.Tokenizer;
import io.finetide.model.train.Checkpoint;
import io.finetide.model.train.DistilledPair;
import io.finetide.model.train.DistilledText;
import io.finetide.model.train.DistilledWords;
import io.finetide.model.train.LabelledPair;
import io.finetide.model.train.LabelledText;
import io.finetide.model.train.Strategy;
import io.finetide.model.train.TaggedWords;
import io.finetide.model.train.Trainer;
import io.finetide.model.train.TrainingConfig;
import io.finetide.platform.datasets.SequenceLengths;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.Distillation;
import io.finetide.proto.v1.DistillationRequestedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrainingProgressEvent;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;

/**
 * Trains a student from its teacher on a snapshot (docs/MODELS.md, "Distillation"): the student starts from the
 * teacher's embeddings, head and an evenly spaced choice of its layers; it learns the labels of the training texts,
 * pairs or tagged words and the teacher's soft labels for every one of them (a classifier of single texts: for the
 * task's unlabelled texts too), is chosen by epoch on the labelled validation split, is calibrated as any candidate,
 * and is announced as a candidate whose parent is its teacher.
 */
@ApplicationScoped
public class DistillationRun {

    private static final Logger LOG = Logger.getLogger(DistillationRun.class);

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

    /**
     * Trains the student {@code modelId}, stores and announces it; returns what was announced.
     *
     * @param teacher    the request's teacher, read and checked against the task by the caller
     * @param unlabelled the task's unlabelled texts to learn from too, given the ids of the examples the snapshot holds
     */
    public ModelTrainedEvent distil(TaskDefinitionEvent declared, DatasetSnapshotEvent snapshot,
            DistillationRequestedEvent request, ModelBundle teacher, String modelId,
            Function<Set<String>, List<String>> unlabelled) {
        long started = System.currentTimeMillis();
        TaskDefinitionEvent task = SequenceLengths.readAt(declared, snapshot.getSequenceLength());
        List<SnapshotFile.Row> rows = SnapshotFile.read(artifacts.require(snapshot.getArtifact()));
        RunData data = RunData.of(task, rows);
        Students.Student student = Students.fromTeacher(teacher.config(), teacher.weights(), request
                .getStudentLayers());
        TrainingConfig hp = Models.training(task.getHyperParameters(), config.patience(), config.threads());
        try (Tokenizer tokenizer = Tokenizer.fromJson(teacher.tokenizerName(), teacher.tokenizerJson(), teacher
                .maxSeqLength(), teacher.truncation())) {
            ProgressReporter progress = new ProgressReporter(publisher, metrics, task.getName(), modelId, snapshot,
                    request.getTeacherModelId(), task.getModel().getBaseModel(), data.validationCount(), live);
            DistillationLoss loss = new DistillationLoss(request.getTemperature(), request.getHardWeight());
            List<String> extra = List.of();
            Trainer.Result result;
            if (data.examples() instanceof RunData.Tagged tagged) {
                // Unlabelled examples are announced as text, not as the words a tagging task's examples are split in.
                result = Trainer.distilTokens(student.config(), student.weights(), tokenizer, softLabelledWords(
                        teacher, tagged.train()), tagged.validation(), tagged.tags(), loss, hp, Strategy.full(),
                        progress, Checkpoint.Store.NONE);
            } else if (data.examples() instanceof RunData.Pairs pairs) {
                // Ingestion announces unlabelled examples with one text: a pair's student learns the labelled pairs.
                result = Trainer.distilPairs(student.config(), student.weights(), tokenizer, softLabelledPairs(
                        teacher, pairs.train()), pairs.validation(), loss, hp, Strategy.full(), progress,
                        Checkpoint.Store.NONE);
            } else if (data.examples() instanceof RunData.Texts texts) {
                extra = unlabelled.apply(rows.stream().map(SnapshotFile.Row::id).collect(Collectors.toSet()));
                result = Trainer.distil(student.config(), student.weights(), tokenizer, softLabelled(teacher, texts
                        .train(), extra), texts.validation(), loss, hp, Strategy.full(), progress,
                        Checkpoint.Store.NONE);
            } else {
                throw new IllegalArgumentException("a student learns a classifier's or a tagger's soft labels, not a "
                        + task.getType() + " task's");
            }
            BundleProvenance provenance = new BundleProvenance(modelId, task.getName(), snapshot.getSnapshotId(),
                    snapshot.getContentHash(), request.getTeacherModelId(), task.getModel().getBaseModel(), result
                            .bestEpoch(),
                    result.best().validationScore(), hp.toString(), "distilled");
            Map<String, Object> metadata = new java.util.LinkedHashMap<>(provenance.metadata());
            metadata.put("teacherModelId", request.getTeacherModelId());
            // Described as its task's examples describe a model (a pair classifier's says it reads pairs).
            ModelBundle bundle = TemperatureFit.calibrated(data.described(new ModelBundle(student.config(),
                    tokenizer.name(), tokenizer.maxLength(), tokenizer.truncation(), teacher.labels(), result
                            .weights(),
                    tokenizer.json(), metadata)), data, config.threads());
            String artifact = Models.artifact(task.getName(), modelId);
            artifacts.putOnce(artifact, bundle.toBytes(), Map.of("task", task.getName(), "model", modelId));
            long finished = System.currentTimeMillis();
            publisher.progress(progress.event().setPhase(TrainingProgressEvent.Phase.FINISHED).setEpoch(result
                    .bestEpoch()).setStep(result.steps()).setValidationAccuracy(result.best().validationScore())
                    .setMessage("best epoch " + result.bestEpoch() + " of " + result.history().size()).build());
            ModelTrainedEvent announced = Announcements.trained(task, snapshot, modelId, request.getTeacherModelId(),
                    artifact, data, result, started, finished).setModel(
                            task.getModel().toBuilder().setLayers(student
                                    .config().layers()))
                    .setDistillation(
                            Distillation.newBuilder()
                                    .setRequestId(request.getRequestId()).setTeacherModelId(request.getTeacherModelId())
                                    .setTeacherLayers(teacher.config().layers())
                                    .setStudentLayers(student.config().layers())
                                    .addAllLayersFromTeacher(java.util.Arrays.stream(student.teacherLayers()).boxed()
                                            .toList())
                                    .setTemperature(request.getTemperature()).setHardWeight(request.getHardWeight())
                                    .setBudget(request.getBudget()).setUnlabelledExamples(extra.size()))
                    .build();
            publisher.trained(announced);
            live.ended(modelId);
            LOG.infof("distilled %s (%d layers) from %s (%d) on %s in %d ms: validation score %.4f", modelId, student
                    .config().layers(), request.getTeacherModelId(), teacher.config().layers(),
                    snapshot
                            .getSnapshotId(),
                    finished - started, result.best().validationScore());
            return announced;
        } catch (RuntimeException e) {
            live.ended(modelId);
            throw e;
        }
    }

    /** Each training sentence with the teacher's tag probabilities for each of its words. */
    private List<DistilledWords> softLabelledWords(ModelBundle teacher, List<TaggedWords> train) {
        List<float[][]> soft;
        try (Tagger tagger = Tagger.load(teacher, config.threads())) {
            soft = tagger.wordProbabilities(train.stream().map(TaggedWords::words).toList());
        }
        List<DistilledWords> out = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            out.add(new DistilledWords(train.get(i).words(), train.get(i).tags(), soft.get(i)));
        }
        return out;
    }

    /** Each training pair with the teacher's probabilities for it, as its network computes them. */
    private List<DistilledPair> softLabelledPairs(ModelBundle teacher, List<LabelledPair> train) {
        float[][] soft;
        try (Classifier classifier = Classifier.load(teacher, config.threads())) {
            soft = classifier.uncalibratedPairProbabilities(train.stream().map(LabelledPair::first).toList(), train
                    .stream().map(LabelledPair::second).toList());
        }
        List<DistilledPair> out = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            LabelledPair p = train.get(i);
            out.add(new DistilledPair(p.first(), p.second(), p.label(), soft[i]));
        }
        return out;
    }

    /** Each training text and unlabelled text with the teacher's probabilities for it, as its network computes them. */
    private List<DistilledText> softLabelled(ModelBundle teacher, List<LabelledText> train, List<String> unlabelled) {
        List<String> texts = new ArrayList<>(train.stream().map(LabelledText::text).toList());
        texts.addAll(unlabelled);
        float[][] soft;
        try (Classifier classifier = Classifier.load(teacher, config.threads())) {
            soft = classifier.uncalibratedProbabilities(texts);
        }
        List<DistilledText> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(new DistilledText(texts.get(i), i < train.size() ? train.get(i).label() : DistilledText.UNLABELLED,
                    soft[i]));
        }
        return out;
    }
}
