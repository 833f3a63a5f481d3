package io.finetide.training.studies;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.finetide.model.search.Pruner;
import io.finetide.model.train.Trainer;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.platform.store.StoreRetry;
import io.finetide.platform.tasks.Directory;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.StudyProgressEvent;
import io.finetide.proto.v1.StudySpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TrialEvent;
import io.finetide.training.config.TrainingServiceConfig;
import io.finetide.training.messaging.EventPublisher;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.runs.PreparedRun;
import io.finetide.training.runs.RunSetup;
import io.finetide.training.store.SnapshotRecord;
import io.finetide.training.store.StudyRecord;
import io.finetide.training.store.StudyStore;
import io.finetide.training.store.TrialRecord;

/**
 * Runs the trials this instance is handed: the task with the trial's hyper-parameters, trained on the study's snapshot
 * from where a candidate would start, with a checkpoint of its own so that a trial cut by a crash resumes. A trial is
 * claimed in the store before it runs and its end counts only if this instance still owns it, so a replayed or
 * duplicated trial event never runs a finished trial again nor counts one twice.
 */
@ApplicationScoped
public class TrialRunner {

    private static final Logger LOG = Logger.getLogger(TrialRunner.class);

    @Inject
    StudyStore store;

    @Inject
    StudyService studies;

    @Inject
    RunSetup setup;

    @Inject
    Directory directory;

    @Inject
    EventPublisher publisher;

    @Inject
    ArtifactStore artifacts;

    @Inject
    TrainingMetrics metrics;

    @Inject
    TrainingServiceConfig config;

    @ConfigProperty(name = "quarkus.http.port")
    int port;

    private String owner;

    /** Who runs a trial: this process ({@code host:port-id}), for the trial's record and the logs. */
    @PostConstruct
    void name() {
        owner = hostName() + ":" + port + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public void run(TrialEvent event) {
        StudyRecord study = store.study(event.getStudyId()).orElseThrow(() -> new RejectedException(
                ReasonCode.NOT_FOUND, "no study '" + event.getStudyId() + "'"));
        String trialId = TrialRecord.id(study.id(), event.getNumber());
        Optional<TrialRecord> claimed = store.claim(trialId, owner);
        if (claimed.isEmpty()) {
            LOG.infof("trial %s has ended already; only what follows it is seen to", trialId);
            studies.goOn(study, event.getNumber());
            return;
        }
        TrialRecord trial = claimed.get();
        if (study.stopRequested() || study.state() != StudyRecord.StudyState.RUNNING) {
            end(trial, TrialRecord.TrialState.CANCELLED, Double.NaN, "the study was stopped before it started");
            return;
        }
        LOG.infof("trial %s (attempt %d) on %s: %s", trialId, trial.attempt(), owner, event.getParametersMap());
        metrics.trialStarted(study.task());
        publisher.study(StudyProgressEvent.newBuilder().setMeta(Events.meta(study.task())).setStudyId(study.id())
                .setPhase(StudyProgressEvent.Phase.TRIAL_STARTED).setTrial(trial.number()).putAllParameters(event
                        .getParametersMap())
                .setMessage(trial.attempt() > 1 ? "attempt " + trial.attempt() : "").build());
        TrialListener listener = new TrialListener(store, trial, owner, pruner(study.spec()), e -> publisher.study(
                StudyProgressEvent.newBuilder().setMeta(Events.meta(study.task())).setStudyId(study.id()).setPhase(
                        StudyProgressEvent.Phase.TRIAL_EPOCH).setTrial(trial.number()).setEpoch(e.epoch()).setValue(e
                                .value())
                        .build()));
        boolean keepCheckpoint = false;
        Path checkpoint = config.checkpointDir().filter(d -> !d.isBlank()).map(d -> Path.of(d, "study-" + trialId
                .replace('/', '-'))).orElse(null);
        try {
            TaskDefinitionEvent task = TaskDefinitions.validated(directory.awaitTask(study.task(), Duration.ofSeconds(
                    config.taskWaitSeconds())).toBuilder().setHyperParameters(event.getHyperParameters()).build(),
                    BaseModelArtifacts.resolver(artifacts));
            SnapshotRecord snapshot = store.snapshot(event.getSnapshotId()).orElseThrow(() -> new RejectedException(
                    ReasonCode.NO_SNAPSHOT, "snapshot " + event.getSnapshotId() + " is not kept here"));
            Trainer.Result result;
            try (PreparedRun run = setup.prepare(task, snapshot.snapshot())) {
                result = run.fit(listener, Optional.ofNullable(checkpoint), config.checkpointEverySteps());
            }
            // The best epoch's figure, as a candidate's run would be judged.
            end(trial, listener.epochs(), TrialRecord.TrialState.COMPLETE, result.best().validationMetric(), result
                    .steps(), "best epoch " + result.bestEpoch() + " of " + result.history().size());
        } catch (TrialListener.Stopped s) {
            keepCheckpoint = s.superseded;
            end(trial, listener.epochs(), s.state, listener.best(), listener.steps(), s.getMessage());
        } catch (RuntimeException e) {
            if (StoreRetry.isStoreFailure(e)) {
                keepCheckpoint = true;
                throw e; // the store, not the trial, failed: the consumer retries, and the claim takes it again
            }
            LOG.errorf(e, "trial %s failed", trialId);
            end(trial, listener.epochs(), TrialRecord.TrialState.FAILED, Double.NaN, listener.steps(), String.valueOf(e
                    .getMessage()));
        } finally {
            if (checkpoint != null && !keepCheckpoint) {
                PreparedRun.removeCheckpoint(checkpoint);
            }
        }
    }

    private void end(TrialRecord trial, TrialRecord.TrialState state, double value, String message) {
        end(trial, trial.epochs(), state, value, 0, message);
    }

    private void end(TrialRecord trial, List<TrialRecord.Epoch> epochs, TrialRecord.TrialState state,
            double value, long steps, String message) {
        if (!store.finishTrial(trial.id(), owner, state, value, steps, message)) {
            // Another instance took it over (this one was thought dead); its end is the one that counts.
            LOG.warnf("trial %s is no longer %s's; its %s end does not count", trial.id(), owner, state);
            metrics.trialEnded(trial.task(), "superseded");
            return;
        }
        studies.trialEnded(new TrialRecord(trial.studyId(), trial.task(), trial.number(), trial.parameters(), state,
                epochs, value, steps, owner, trial.attempt(), trial.sent(), trial.partition(), trial.startedAtMs(),
                System
                        .currentTimeMillis(),
                message));
    }

    static Pruner pruner(StudySpec spec) {
        return switch (spec.getPruner()) {
            case MEDIAN -> new Pruner.Median(5);
            case SUCCESSIVE_HALVING -> new Pruner.SuccessiveHalving(1, spec.getReductionFactor());
            default -> new Pruner.None();
        };
    }

    private static String hostName() {
        String pod = System.getenv("HOSTNAME");
        return pod == null || pod.isBlank() ? "training" : pod;
    }
}
