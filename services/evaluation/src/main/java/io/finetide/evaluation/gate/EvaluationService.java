package io.finetide.evaluation.gate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.evaluation.config.EvaluationConfig;
import io.finetide.evaluation.judging.JudgedExample;
import io.finetide.evaluation.judging.JudgedModel;
import io.finetide.evaluation.judging.TestExamples;
import io.finetide.evaluation.messaging.EventPublisher;
import io.finetide.evaluation.metrics.EvaluationMetrics;
import io.finetide.evaluation.store.EvaluationReportRecord;
import io.finetide.evaluation.store.EvaluationStore;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.Directory;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;
import io.quarkus.runtime.Startup;

/**
 * Judges each candidate against the task's current champion on the candidate's snapshot test examples (the same
 * examples for both, so the comparison is fair), applies the promotion gate and keeps the report as the audit record.
 */
// Created at startup, not on the first candidate: it registers the gauge of known champions.
@Startup
@ApplicationScoped
public class EvaluationService {

    private static final Logger LOG = Logger.getLogger(EvaluationService.class);

    @Inject
    Directory directory;

    @Inject
    EvaluationStore store;

    @Inject
    ArtifactStore artifacts;

    @Inject
    EventPublisher publisher;

    @Inject
    EvaluationMetrics metrics;

    @Inject
    EvaluationConfig config;

    @Inject
    ChampionModels championModels;

    /** Judges again, one at a time, candidates whose champion was replaced (see {@link #onChampion}). */
    private final ExecutorService rejudging = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "evaluation-rejudging");
        t.setDaemon(true);
        return t;
    });

    @jakarta.annotation.PostConstruct
    void registerGauges() {
        metrics.watchChampions(directory.champions());
        directory.onChampion(promoted -> rejudging.execute(() -> onChampion(promoted)));
    }

    @PreDestroy
    void stop() {
        rejudging.shutdownNow();
    }

    /**
     * Judges a candidate against the champion serving now. Synchronised with {@link #onChampion}: whichever of the
     * two comes second sees what the first did, so a champion replaced while a candidate was judged is never missed.
     */
    public synchronized ModelEvaluatedEvent onTrained(ModelTrainedEvent trained) {
        Events.requireSupported(trained.getMeta());
        Optional<EvaluationReportRecord> previous = store.find(trained.getModelId());
        if (previous.isPresent()) {
            metrics.replay();
            ModelEvaluatedEvent again = previous.get().event();
            publisher.evaluated(again);
            return again;
        }
        String taskName = trained.getMeta().getTask();
        TaskDefinitionEvent task = directory.awaitTask(taskName, Duration.ofSeconds(config.taskWaitSeconds()));
        ModelEvaluatedEvent result = judge(trained, task, champion(taskName, trained.getModelId()));
        store.insertOnce(EvaluationReportRecord.of(result));
        publisher.evaluated(result);
        // The champion read at the start may have been replaced meanwhile (or not yet read, just after a start).
        Optional<ModelPromotedEvent> now = champion(taskName, trained.getModelId());
        if (result.getBlessed() && !now.map(ModelPromotedEvent::getModelId).orElse("").equals(result
                .getChampionModelId())) {
            return judgeAgain(trained, task, now);
        }
        return result;
    }

    /**
     * A new champion: each candidate blessed against the champion it replaced is judged again against it, since
     * deployment acts on a verdict only while the champion it names serves. Candidates judged against older
     * champions were judged again when those were replaced.
     */
    synchronized void onChampion(ModelPromotedEvent promoted) {
        String taskName = promoted.getMeta().getTask();
        // A promotion read again at start, superseded since, has nothing left to do.
        if (!directory.champions().get(taskName).map(ModelPromotedEvent::getModelId).orElse("").equals(promoted
                .getModelId())) {
            return;
        }
        for (EvaluationReportRecord waiting : store.blessedAgainst(taskName, promoted.getPreviousModelId())) {
            if (waiting.modelId().equals(promoted.getModelId()) || store.judgedAgainst(waiting.modelId(), promoted
                    .getModelId())) {
                continue;
            }
            try {
                TaskDefinitionEvent task = directory.awaitTask(taskName, Duration.ofSeconds(config
                        .taskWaitSeconds()));
                judgeAgain(waiting.event().getTrained(), task, Optional.of(promoted));
            } catch (RuntimeException e) {
                // One candidate that cannot be judged (its artifact gone) must not keep the others waiting.
                LOG.warnf(e, "%s could not be judged again against %s", waiting.modelId(), promoted.getModelId());
            }
        }
    }

    private ModelEvaluatedEvent judgeAgain(ModelTrainedEvent trained, TaskDefinitionEvent task,
            Optional<ModelPromotedEvent> champion) {
        LOG.infof("%s was blessed against another champion than %s: judged again", trained.getModelId(), champion
                .map(ModelPromotedEvent::getModelId).orElse("none"));
        ModelEvaluatedEvent result = judge(trained, task, champion);
        if (store.insertRejudged(EvaluationReportRecord.of(result))) {
            metrics.rejudged(task.getName());
            publisher.evaluated(result);
        }
        return result;
    }

    private Optional<ModelPromotedEvent> champion(String taskName, String candidateId) {
        return directory.champions().get(taskName).filter(c -> !c.getModelId().equals(candidateId));
    }

    private ModelEvaluatedEvent judge(ModelTrainedEvent trained, TaskDefinitionEvent task,
            Optional<ModelPromotedEvent> champion) {
        String taskName = task.getName();
        List<SnapshotFile.Row> rows = SnapshotFile.split(SnapshotFile.read(artifacts.require(trained
                .getSnapshotArtifact())), Split.TEST);
        // The golden set never changes once full, so champions of different versions are judged on the same texts;
        // the recent set (the newest other test examples) is judged alongside, as the data is now.
        List<SnapshotFile.Row> golden = SnapshotFile.subset(rows, SnapshotFile.GOLDEN);
        List<JudgedExample> judged = new ArrayList<>();
        (golden.isEmpty() ? rows : golden).forEach(r -> judged.add(JudgedExample.of(r, true)));
        if (!golden.isEmpty()) {
            SnapshotFile.subset(rows, SnapshotFile.RECENT).forEach(r -> judged.add(JudgedExample.of(r, false)));
        }
        String testSet = (golden.isEmpty() ? "test split" : "golden test set") + ", " + (golden.isEmpty()
                ? rows
                : golden).size() + " examples";
        boolean tagging = task.getType() == TaskType.TOKEN_CLASSIFICATION;
        EvaluationSpec spec = task.getEvaluation();
        long seed = trained.getModelId().hashCode();
        Evidence evidence;
        long started = System.currentTimeMillis();
        long loaded;
        if (TaskDefinitions.writesText(task)) {
            List<SnapshotFile.Row> prompts = golden.isEmpty() ? rows : golden;
            ModelBundle candidate = ModelBundle.fromBytes(artifacts.require(trained.getArtifact()));
            ModelBundle incumbent = champion.map(c -> ModelBundle.fromBytes(artifacts.require(c.getArtifact())))
                    .orElse(null);
            loaded = System.currentTimeMillis();
            evidence = CompletionEvidence.collect(prompts, testSet, candidate, incumbent, spec, seed, config
                    .threads());
        } else {
            try (JudgedModel candidate = JudgedModel.load(artifacts.require(trained.getArtifact()), config.threads())) {
                JudgedModel incumbent = champion.map(championModels::get).orElse(null);
                loaded = System.currentTimeMillis();
                TestExamples examples = new TestExamples(judged, candidate.labels(), tagging);
                // A champion with other labels (the task changed them) cannot be compared example by example.
                boolean comparable = incumbent != null && incumbent.labels().equals(candidate.labels());
                if (incumbent != null && !comparable) {
                    LOG.warnf("champion %s has labels %s, candidate %s has %s: judged without a comparison", champion
                            .get().getModelId(), incumbent.labels(), trained.getModelId(), candidate.labels());
                }
                evidence = EvidenceCollector.collect(examples, testSet, candidate, comparable ? incumbent : null, spec,
                        seed);
            }
        }
        long judgedAt = System.currentTimeMillis();
        PromotionGate.Decision decision = PromotionGate.decide(evidence, spec, task.getPromotionMargin(), trained
                .getDistillation().getBudget());
        ModelEvaluatedEvent.Builder event = ModelEvaluatedEvent.newBuilder().setMeta(Events.meta(taskName))
                .setModelId(trained.getModelId()).setSnapshotId(trained.getSnapshotId()).setCandidate(evidence
                        .candidate())
                .setTrained(trained).setBlessed(decision.blessed()).setDecisionReason(decision.reason() + " ("
                        + testSet + ")")
                .setReport(GateReports.of(evidence, decision, spec, trained));
        // The champion serving is named even when it could not be compared: the verdict holds while it serves.
        champion.ifPresent(c -> event.setChampionModelId(c.getModelId()));
        if (evidence.hasChampion()) {
            event.setChampion(evidence.champion());
        }
        ModelEvaluatedEvent result = event.build();
        metrics.verdict(taskName, decision);
        LOG.infof("%s on the %s (models loaded in %d ms, judged in %d ms): %s %.4f; %s", trained.getModelId(),
                testSet, loaded - started, judgedAt - loaded, decision.figure().label(), evidence.candidateScore(),
                decision.reason());
        return result;
    }
}
