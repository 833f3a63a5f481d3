package io.finetide.training.studies;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.search.StudySpecs;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.DatasetSnapshotEvent;
import io.finetide.proto.v1.StudyProgressEvent;
import io.finetide.proto.v1.StudySpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrialEvent;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.messaging.TrialDispatcher;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.store.SnapshotRecord;
import io.finetide.training.store.StudyRecord;
import io.finetide.training.store.StudyStore;
import io.finetide.training.store.TrialRecord;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs hyper-parameter studies. A study starts {@code parallelism} trials; whichever instance ends trial n proposes trial
 * n + parallelism, so the study keeps exactly that many in flight without a coordinator, and the instance that ends
 * the last one finishes the study. The state lives in MongoDB and the trials travel on Kafka, so a study goes on
 * when the instance that started it is gone.
 */
@ApplicationScoped
public class StudyService {

    private static final Logger LOG = Logger.getLogger(StudyService.class);

    @Inject
    StudyStore store;

    @Inject
    Directory directory;

    @Inject
    TrialDispatcher dispatcher;

    @Inject
    EventPublisher publisher;

    @Inject
    TrainingMetrics metrics;

    /** Keeps the snapshot for studies, and starts the study a task asks for on its first snapshot. */
    public void onSnapshot(DatasetSnapshotEvent snapshot) {
        store.putSnapshot(new SnapshotRecord(snapshot, System.currentTimeMillis()));
        String task = snapshot.getMeta().getTask();
        Optional<TaskDefinitionEvent> definition = directory.tasks().get(task);
        if (definition.isPresent() && definition.get().hasSearch() && store.studies(task).isEmpty()) {
            StudySpec spec = definition.get().getSearch().toBuilder().setSnapshotId(snapshot.getSnapshotId()).build();
            try {
                StudyRecord s = create(task, spec);
                LOG.infof("task %s asked for a study on its first snapshot: %s started", task, s.id());
            } catch (RejectedException e) {
                LOG.errorf("the study task %s asks for cannot start: %s", task, e.getMessage());
            }
        }
    }

    /** @throws RejectedException with every problem of the spec, or when there is no such task or snapshot */
    public StudyRecord create(String task, StudySpec submitted) {
        TaskDefinitionEvent definition = directory.tasks().get(task).orElseThrow(() -> new RejectedException(
                ReasonCode.UNKNOWN_TASK, "unknown task '" + task + "'"));
        StudySpec spec = StudySpecs.withDefaults(submitted);
        List<String> problems = StudySpecs.problems(spec);
        if (!problems.isEmpty()) {
            throw new InvalidStudyException(problems);
        }
        SnapshotRecord snapshot = (spec.getSnapshotId().isEmpty()
                ? store.latestSnapshot(task)
                : store.snapshot(spec.getSnapshotId())).orElseThrow(
                        () -> new RejectedException(
                                ReasonCode.NO_SNAPSHOT, spec.getSnapshotId().isEmpty()
                                        ? "task '" + task + "' has no snapshot to search on yet"
                                        : "no snapshot '" + spec.getSnapshotId() + "' here"));
        long now = System.currentTimeMillis();
        StudyRecord study;
        int n = store.studies(task).size() + 1;
        do {
            study = new StudyRecord(task + "-s" + n++, task, spec, definition.getHyperParameters(), snapshot
                    .snapshot().getSnapshotId(), StudyRecord.StudyState.RUNNING, now,
                    spec.getMaxMinutes() == 0
                            ? 0
                            : now + spec.getMaxMinutes() * 60_000L,
                    false, 0);
        } while (!store.insertStudy(study));
        for (int k = 0; k < spec.getParallelism(); k++) {
            propose(study, k);
        }
        maybeFinish(study.id());
        return study;
    }

    public Optional<StudyRecord> find(String task, String id) {
        return store.study(id).filter(s -> s.task().equals(task));
    }

    /** No new trials; running ones stop at their next epoch's end. */
    public void stop(StudyRecord study) {
        store.requestStop(study.id());
        maybeFinish(study.id());
    }

    /** Announces the best trial's values for the task's next revision (ingestion makes it). */
    public Optional<TrialRecord> apply(StudyRecord study) {
        Optional<TrialRecord> best = best(store.trials(study.id()));
        best.ifPresent(b -> publisher.study(progress(study, StudyProgressEvent.Phase.BEST_APPLIED, b).setApply(
                true).build()));
        return best;
    }

    /** Proposes trial {@code number} and hands it out, once: a replay finds it proposed (and sends it if unsent). */
    void propose(StudyRecord study, int number) {
        if (!mayStart(study, number, System.currentTimeMillis())) {
            return;
        }
        Optional<TrialRecord> existing = store.trial(TrialRecord.id(study.id(), number));
        if (existing.isEmpty()) {
            List<TrialRecord> finished = store.finishedTrialsOfTask(study.task());
            Optional<Map<String, Object>> values = Proposals.next(study.spec(), number, finished);
            if (values.isEmpty()) {
                return;
            }
            store.insertTrial(TrialRecord.queued(study.id(), study.task(), number, values.get()));
            existing = store.trial(TrialRecord.id(study.id(), number));
        }
        TrialRecord trial = existing.orElseThrow();
        if (!trial.sent() && trial.state() == TrialRecord.TrialState.QUEUED) {
            TrialEvent event = TrialEvent.newBuilder().setMeta(Events.meta(study.task())).setStudyId(study.id())
                    .setNumber(number).setSnapshotId(study.snapshotId()).setHyperParameters(StudySpecs.apply(study
                            .base(), trial.parameters()))
                    .putAllParameters(StudySpecs.asText(trial.parameters())).build();
            int partition = dispatcher.send(event, TrialDispatcher.partitions(store.busyPartitions()));
            store.sent(trial.id(), partition);
        }
    }

    /** Whether trial {@code number} may start at {@code nowMs}: within the trial budget and the time, not stopped. */
    static boolean mayStart(StudyRecord study, int number, long nowMs) {
        return number < Proposals.budget(study.spec()) && !study.stopRequested() && (study.deadlineMs() == 0
                || nowMs <= study.deadlineMs());
    }

    /** After a trial ended here: the next one goes out, and the study ends if nothing is left. */
    void trialEnded(TrialRecord trial) {
        StudyRecord study = store.study(trial.studyId()).orElseThrow();
        metrics.trialEnded(trial.task(), trial.state().name());
        StudyProgressEvent.Phase phase = switch (trial.state()) {
            case COMPLETE -> StudyProgressEvent.Phase.TRIAL_COMPLETED;
            case PRUNED -> StudyProgressEvent.Phase.TRIAL_PRUNED;
            default -> StudyProgressEvent.Phase.TRIAL_FAILED;
        };
        List<TrialRecord> trials = store.trials(study.id());
        best(trials).ifPresent(b -> metrics.studyBest(study.task(), b.value()));
        publisher.study(progress(study, phase, trial).setMessage(trial.message()).build());
        goOn(study, trial.number());
    }

    /**
     * What follows the end of trial {@code number}: the next trial out, or the study's end. Idempotent, so that a
     * trial event delivered again after its instance died between the trial's end and this does it then.
     */
    void goOn(StudyRecord study, int number) {
        propose(study, number + study.spec().getParallelism());
        maybeFinish(study.id());
    }

    /**
     * At start: trials proposed but never sent (Kafka was unreachable at the time) go out, and studies whose last
     * trial ended just before a crash end. On a thread of its own: a store that is slow to answer must not hold the
     * service's start.
     */
    void onStart(@Observes StartupEvent started) {
        Thread t = new Thread(this::recover, "study-recovery");
        t.setDaemon(true);
        t.start();
    }

    private void recover() {
        try {
            for (StudyRecord study : store.runningStudies()) {
                for (TrialRecord t : store.trials(study.id())) {
                    if (t.state() == TrialRecord.TrialState.QUEUED && !t.sent()) {
                        propose(study, t.number());
                    }
                }
                maybeFinish(study.id());
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not look over the running studies at start; the next trial's end will");
        }
    }

    /** Ends the study when no trial is queued or running; only one instance wins. */
    void maybeFinish(String studyId) {
        StudyRecord study = store.study(studyId).orElseThrow();
        List<TrialRecord> trials = store.trials(studyId);
        if (study.state() != StudyRecord.StudyState.RUNNING || trials.stream().anyMatch(t -> !t.state()
                .finished())) {
            return;
        }
        StudyRecord.StudyState end = study.stopRequested()
                ? StudyRecord.StudyState.STOPPED
                : StudyRecord.StudyState.COMPLETE;
        if (!store.finishStudy(studyId, end)) {
            return;
        }
        metrics.studyEnded(study.task(), end.name());
        Optional<TrialRecord> best = best(trials);
        StudyProgressEvent.Builder done = best.map(b -> progress(study, StudyProgressEvent.Phase.STUDY_FINISHED, b))
                .orElseGet(() -> StudyProgressEvent.newBuilder().setMeta(Events.meta(study.task())).setStudyId(
                        studyId).setPhase(StudyProgressEvent.Phase.STUDY_FINISHED));
        publisher.study(done.setMessage(end.name().toLowerCase(java.util.Locale.ROOT) + " after " + trials.size()
                + " trials").build());
        LOG.infof("study %s %s after %d trials; best %s", studyId, end, trials.size(), best.map(b -> "trial " + b
                .number() + " at " + b.value()).orElse("none"));
        if (study.spec().getApply() && end == StudyRecord.StudyState.COMPLETE) {
            apply(study);
        }
    }

    /** The complete trial with the best figure (the earliest among equals). */
    static Optional<TrialRecord> best(List<TrialRecord> trials) {
        return trials.stream().filter(t -> t.state() == TrialRecord.TrialState.COMPLETE).max(Comparator
                .comparingDouble(TrialRecord::value).thenComparing(Comparator.comparingInt(TrialRecord::number)
                        .reversed()));
    }

    private static StudyProgressEvent.Builder progress(StudyRecord study, StudyProgressEvent.Phase phase,
            TrialRecord trial) {
        return StudyProgressEvent.newBuilder().setMeta(Events.meta(study.task())).setStudyId(study.id()).setPhase(
                phase).setTrial(trial.number()).setValue(Double.isNaN(trial.value()) ? 0 : trial.value())
                .putAllParameters(StudySpecs.asText(trial.parameters())).setBestHyperParameters(StudySpecs.apply(
                        study.base(), trial.parameters()));
    }
}
