package io.finetide.evaluation.gate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.evaluation.config.EvaluationConfig;
import io.finetide.evaluation.messaging.EventPublisher;
import io.finetide.evaluation.metrics.EvaluationMetrics;
import io.finetide.evaluation.store.EvaluationReportRecord;
import io.finetide.evaluation.store.EvaluationStore;
import io.finetide.model.bundle.ModelBundle;
import io.finetide.platform.datasets.SnapshotFile;
import io.finetide.platform.events.Events;
import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.tasks.Directory;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * Scores each candidate and the task's current champion on the candidate's snapshot test split (the same examples
 * for both, so the comparison is fair), then applies the promotion gate.
 */
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

    @jakarta.annotation.PostConstruct
    void registerGauges() {
        metrics.watchChampions(directory.champions());
    }

    public ModelEvaluatedEvent onTrained(ModelTrainedEvent trained) {
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
        List<SnapshotFile.Row> rows = SnapshotFile.read(artifacts.require(trained.getSnapshotArtifact()));
        List<SnapshotFile.Row> all = SnapshotFile.split(rows, Split.TEST);
        // The golden set never changes once full, so champions of different versions are judged on the same texts.
        List<SnapshotFile.Row> golden = SnapshotFile.subset(all, SnapshotFile.GOLDEN);
        List<SnapshotFile.Row> test = golden.isEmpty() ? all : golden;
        String testSet = (golden.isEmpty() ? "test split" : "golden test set") + ", " + test.size() + " examples";
        boolean tagging = task.getType() == TaskType.TOKEN_CLASSIFICATION;
        java.util.function.Function<ModelBundle, Metrics> score = bundle -> tagging
                ? Scoring.scoreTags(bundle, test.stream().map(SnapshotFile.Row::tokens).toList(), test.stream().map(
                        SnapshotFile.Row::tags).toList(), config.threads())
                : Scoring.score(bundle, test.stream().map(SnapshotFile.Row::text).toList(), test.stream().map(
                        SnapshotFile.Row::label).toList(), config.threads());

        Metrics candidate = score.apply(ModelBundle.fromBytes(artifacts.require(trained.getArtifact())));
        ModelEvaluatedEvent.Builder event = ModelEvaluatedEvent.newBuilder().setMeta(Events.meta(taskName))
                .setModelId(trained.getModelId()).setSnapshotId(trained.getSnapshotId()).setCandidate(candidate)
                .setTrained(trained);
        Metrics championMetrics = null;
        Optional<ModelPromotedEvent> champion = directory.champions().get(taskName)
                .filter(c -> !c.getModelId().equals(trained.getModelId()));
        if (champion.isPresent()) {
            championMetrics = score.apply(ModelBundle.fromBytes(artifacts.require(champion.get().getArtifact())));
            event.setChampionModelId(champion.get().getModelId()).setChampion(championMetrics);
        }
        PromotionGate.Decision decision = PromotionGate.decide(candidate, championMetrics, task.getPromotionMargin(),
                tagging);
        ModelEvaluatedEvent result = event.setBlessed(decision.blessed()).setDecisionReason(decision.reason() + " ("
                + testSet + ")").build();
        store.insertOnce(EvaluationReportRecord.of(result));
        publisher.evaluated(result);
        metrics.verdict(taskName, decision);
        LOG.infof("%s on the %s: accuracy %.4f, macro-F1 %.4f, micro-F1 %.4f; %s", trained.getModelId(), testSet,
                candidate.getAccuracy(), candidate.getMacroF1(), candidate.getMicroF1(), decision.reason());
        return result;
    }
}
