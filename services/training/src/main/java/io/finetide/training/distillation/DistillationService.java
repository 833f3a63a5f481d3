package io.finetide.training.distillation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.model.bundle.ModelBundle;
import io.finetide.model.transformer.TransformerConfig;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.StoreRetry;
import io.finetide.platform.tagging.Bio;
import io.finetide.platform.tasks.BaseCatalogue;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.DistillationRequestedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.ServingBudget;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.runs.DistillationRun;
import io.finetide.training.runs.Models;
import io.finetide.training.store.DistillationRecord;
import io.finetide.training.store.DistillationStore;
import io.finetide.training.store.SnapshotRecord;
import io.finetide.training.store.StudyStore;

/**
 * Distillation requests (docs/MODELS.md, "Distillation"): checked and published when asked, then run once each by
 * whichever training instance takes them from the topic. The student is named after the snapshot it learns from and
 * its number among the task's students ({@code <task>-m<v>-d<n>}), and goes to the gate as any candidate.
 */
@ApplicationScoped
public class DistillationService {

    private static final Logger LOG = Logger.getLogger(DistillationService.class);

    @Inject
    Directory directory;

    @Inject
    StudyStore snapshots;

    @Inject
    DistillationStore store;

    @Inject
    ArtifactStore artifacts;

    @Inject
    EventPublisher publisher;

    @Inject
    TrainingMetrics metrics;

    @Inject
    TrainingServiceConfig config;

    @Inject
    DistillationRun run;

    @Inject
    UnlabelledTexts unlabelled;

    /**
     * Checks the request against the task, its teacher and its latest snapshot, records it and publishes it.
     *
     * @throws RejectedException with the reason: no such task or teacher, nothing to learn from, or bad settings
     */
    public DistillationRecord request(String taskName, DistillationRequest asked, String caller) {
        TaskDefinitionEvent task = directory.tasks().get(taskName).orElseThrow(() -> new RejectedException(
                ReasonCode.NOT_FOUND, "no task '" + taskName + "'"));
        String teacherId = asked.teacher() != null && !asked.teacher().isBlank()
                ? asked.teacher()
                : directory.champions().get(taskName).map(ModelPromotedEvent::getModelId).orElseThrow(
                        () -> new RejectedException(ReasonCode.NO_TEACHER, "task '" + taskName + "' has no champion "
                                + "to distil; name a teacher model"));
        String teacherArtifact = Models.artifact(taskName, teacherId);
        ModelBundle teacher = teacher(teacherArtifact).orElseThrow(() -> new RejectedException(ReasonCode.NOT_FOUND,
                "task '" + taskName + "' has no model '" + teacherId + "'"));
        int layers = asked.studentLayersOf(teacher.config().layers());
        requireDistillable(task, teacher, layers, asked.temperatureOrDefault(), asked.hardWeightOrDefault(), asked
                .servingBudget());
        SnapshotRecord snapshot = snapshots.latestSnapshot(taskName).orElseThrow(() -> new RejectedException(
                ReasonCode.NO_SNAPSHOT, "task '" + taskName + "' has no snapshot for a student to learn from yet"));
        DistillationRequestedEvent event = DistillationRequestedEvent.newBuilder().setMeta(Events.meta(taskName))
                .setRequestId(UUID.randomUUID().toString()).setTeacherModelId(teacherId).setTeacherArtifact(
                        teacherArtifact)
                .setStudentLayers(layers).setTemperature(asked.temperatureOrDefault()).setHardWeight(asked
                        .hardWeightOrDefault())
                .setRequestedBy(caller).setSnapshotId(snapshot.snapshot().getSnapshotId()).setBudget(asked
                        .servingBudget())
                .build();
        DistillationRecord record = new DistillationRecord(event, DistillationRecord.State.REQUESTED, "", System
                .currentTimeMillis(), 0, "");
        // Published first: a request recorded but never published would wait for ever; one published but not
        // recorded is recorded by whichever instance takes it.
        publisher.distillationRequested(event);
        store.insertOnce(record);
        metrics.distillation(taskName, "requested");
        LOG.infof("%s asked to distil %s (%d layers) into %d layers on %s: request %s", caller, teacherId, teacher
                .config().layers(), layers, snapshot.snapshot().getSnapshotId(), event.getRequestId());
        return record;
    }

    /**
     * A request from the topic, run once however often it is delivered: a request that ended is not run again; one
     * found running (an earlier attempt died) is run again under the same student id.
     */
    public void onRequested(DistillationRequestedEvent event) {
        if (event.getRequestId().isBlank() || event.getTeacherArtifact().isBlank()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "a distillation request needs its id and teacher");
        }
        // A teacher is one of the task's own models, as the request's check found it.
        if (!event.getTeacherArtifact().equals(Models.artifact(event.getMeta().getTask(), event
                .getTeacherModelId()))) {
            throw new RejectedException(ReasonCode.INVALID_DISTILLATION, "teacher '" + event.getTeacherArtifact()
                    + "' is not a model of task '" + event.getMeta().getTask() + "'");
        }
        Optional<DistillationRecord> known = store.find(event.getRequestId());
        if (known.isPresent() && known.get().state() != DistillationRecord.State.REQUESTED && known.get()
                .state() != DistillationRecord.State.RUNNING) {
            LOG.infof("distillation %s has ended (%s); ignoring the replay", event.getRequestId(), known.get()
                    .state());
            metrics.distillation(known.get().task(), "skipped");
            return;
        }
        String taskName = event.getMeta().getTask();
        if (directory.tasks().get(taskName).isEmpty()) {
            throw new RejectedException(ReasonCode.UNKNOWN_TASK, "no task '" + taskName + "'");
        }
        TaskDefinitionEvent task = directory.awaitTask(taskName, Duration.ofSeconds(config.taskWaitSeconds()));
        SnapshotRecord snapshot = snapshots.snapshot(event.getSnapshotId()).filter(s -> s.snapshot().getMeta()
                .getTask().equals(taskName)).orElseThrow(() -> new RejectedException(ReasonCode.NO_SNAPSHOT,
                        "snapshot '" + event.getSnapshotId() + "' of task '" + taskName + "' is not kept here"));
        ModelBundle teacher = teacher(event.getTeacherArtifact()).orElseThrow(() -> new RejectedException(
                ReasonCode.NOT_FOUND, "no teacher model at '" + event.getTeacherArtifact() + "'"));
        requireDistillable(task, teacher, event.getStudentLayers(), event.getTemperature(), event.getHardWeight(),
                event.getBudget());
        DistillationRecord base = known.orElseGet(() -> new DistillationRecord(event,
                DistillationRecord.State.REQUESTED, "", System.currentTimeMillis(), 0, ""));
        String modelId = base.modelId().isEmpty()
                ? Models.modelId(taskName, snapshot.snapshot().getVersion()) + "-d" + (store.studentsNamed(taskName)
                        + 1)
                : base.modelId();
        DistillationRecord running = base.with(DistillationRecord.State.RUNNING, modelId, 0, "");
        store.put(running);
        try {
            ModelTrainedEvent student = run.distil(task, snapshot.snapshot(), event, teacher, modelId,
                    inSnapshot -> unlabelled
                            .forStudent(taskName, inSnapshot));
            store.put(running.with(DistillationRecord.State.COMPLETED, modelId, System.currentTimeMillis(),
                    "best epoch " + student.getBestEpoch() + ", validation score " + student.getValidationMetrics()
                            .getAccuracy()));
            metrics.distillation(taskName, "completed");
        } catch (RuntimeException e) {
            if (StoreRetry.isStoreFailure(e)) {
                throw e; // the store, not the run, failed: the consumer retries, under the same student id
            }
            LOG.errorf(e, "distillation %s failed", event.getRequestId());
            store.put(running.with(DistillationRecord.State.FAILED, modelId, System.currentTimeMillis(), String
                    .valueOf(e.getMessage())));
            metrics.distillation(taskName, "failed");
            throw new RejectedException(ReasonCode.PROCESSING_FAILED, "distillation failed: " + e.getMessage());
        }
    }

    public Optional<DistillationRecord> find(String task, String requestId) {
        return store.find(requestId).filter(r -> r.task().equals(task));
    }

    public List<DistillationRecord> forTask(String task) {
        return store.forTask(task);
    }

    /** The model bundle stored at {@code artifact}; empty when there is none. */
    private Optional<ModelBundle> teacher(String artifact) {
        try {
            return artifacts.get(artifact).map(ModelBundle::fromBytes);
        } catch (IllegalArgumentException e) {
            throw new RejectedException(ReasonCode.INVALID_DISTILLATION, "'" + artifact + "' is not a model: " + e
                    .getMessage());
        }
    }

    /** @throws RejectedException INVALID_DISTILLATION with every problem */
    static void requireDistillable(TaskDefinitionEvent task, ModelBundle teacher, int studentLayers,
            double temperature, double hardWeight, ServingBudget budget) {
        List<String> problems = new ArrayList<>();
        TransformerConfig shape = teacher.config();
        boolean classifies = task.getType() == TaskType.TEXT_CLASSIFICATION
                || task.getType() == TaskType.TEXT_PAIR_CLASSIFICATION;
        boolean tags = task.getType() == TaskType.TOKEN_CLASSIFICATION;
        if (!(classifies || tags) || task.getModel().getArchitecture().equals(
                BaseCatalogue.ARCHITECTURE_ENCODER_DECODER) || shape.encoderDecoder() || shape.languageModel()
                || shape.perPosition() != tags) {
            problems.add("only a classifier of single texts or pairs, or a tagger, is distilled; task '" + task
                    .getName() + "' is " + task.getType());
        }
        if (task.getPrivacy().hasDifferentialPrivacy()) {
            problems.add("a private task's models are not distilled: the teacher's soft labels read every training "
                    + "text without the noise its budget pays for");
        }
        List<String> labels = tags ? Bio.tags(task.getLabelsList()) : task.getLabelsList();
        if (!teacher.labels().equals(labels)) {
            problems.add("the teacher's labels " + teacher.labels() + " are not the task's " + labels);
        }
        problems.addAll(DistillationRequest.problems(studentLayers, temperature, hardWeight, budget, shape
                .layers()));
        if (!problems.isEmpty()) {
            throw new RejectedException(ReasonCode.INVALID_DISTILLATION, String.join("; ", problems));
        }
    }
}
