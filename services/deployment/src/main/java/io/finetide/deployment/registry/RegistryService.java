package io.finetide.deployment.registry;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.deployment.messaging.EventPublisher;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.deployment.rollout.RolloutService;
import io.finetide.deployment.serving.ModelLoader;
import io.finetide.deployment.serving.ServedModel;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.DeliveryStore;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.deployment.store.ModelStore;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.ModelEvaluatedEvent;
import io.finetide.proto.v1.ModelPromotedEvent;
import io.finetide.proto.v1.ModelTrainedEvent;
import io.finetide.runtime.audit.AuditTrail;

/**
 * The model registry and the promotion workflow. A blessed candidate of a task under progressive delivery starts its
 * rollout ({@link RolloutService}); otherwise it is loaded and warmed up first, then swapped into service, then recorded as champion (the previous one retired), then announced; replaying any step's event repeats
 * only what had not happened yet.
 */
@ApplicationScoped
public class RegistryService {

    private static final Logger LOG = Logger.getLogger(RegistryService.class);

    @Inject
    AuditTrail audit;

    @Inject
    ModelStore store;

    @Inject
    ModelLoader loader;

    @Inject
    DeliveryStore delivery;

    @Inject
    ServingModels serving;

    @Inject
    EventPublisher publisher;

    @Inject
    DeploymentMetrics metrics;

    @Inject
    RolloutService rollouts;

    private volatile boolean loaded;
    /** Held while a champion is chosen and swapped in, by every path that does so. */
    private final Object championSwap = new Object();

    /** Puts every recorded champion back in service: after a restart, serving resumes where it was. */
    public void loadChampions() {
        loadChampions(store.champions());
    }

    /**
     * Puts {@code champions}, as read from the registry, back in service; one the registry no longer names champion
     * by the time it has loaded (a promotion came meanwhile, and this replica may serve it already) is left out.
     */
    public void loadChampions(List<ModelRecord> champions) {
        for (ModelRecord champion : champions) {
            metrics.championRegistered(champion.task());
            try {
                long start = System.nanoTime();
                if (!serveIfChampion(champion, load(champion))) {
                    LOG.infof("%s is no longer task %s's champion: a later promotion serves instead",
                            champion.modelId(), champion.task());
                    continue;
                }
                metrics.serving(champion.task(), champion.modelId(), champion.version(), System.nanoTime() - start);
                LOG.infof("serving %s for task %s", champion.modelId(), champion.task());
            } catch (RuntimeException e) {
                LOG.errorf(e, "cannot load champion %s", champion.modelId());
            }
        }
        loaded = true;
    }

    public boolean championsLoaded() {
        return loaded;
    }

    /**
     * A champion announced on the promotions topic, by this replica or another: served here too, unless the registry
     * no longer names it champion (a replay of an older promotion, or one rolled back since) or it already serves.
     */
    public void onPromoted(ModelPromotedEvent e) {
        Events.requireSupported(e.getMeta());
        String task = e.getMeta().getTask();
        if (serving.servedModelId(task).equals(Optional.of(e.getModelId()))) {
            return;
        }
        Optional<ModelRecord> champion = store.find(e.getModelId()).filter(m -> m.stage().equals(
                ModelRecord.CHAMPION));
        if (champion.isEmpty()) {
            return;
        }
        if (!champion.get().task().equals(task)) {
            // Only a forged or corrupted record says so (found by ./finetide fuzz: a promotion with its task's name
            // flipped loaded the other task's champion again for seconds, once per record).
            throw new RejectedException(ReasonCode.UNKNOWN_TASK, "the promotion of task '" + task + "' names model "
                    + e.getModelId() + ", which is task '" + champion.get().task() + "''s");
        }
        long start = System.nanoTime();
        if (!serveIfChampion(champion.get(), load(champion.get()))) {
            return; // rolled back or replaced while it loaded: the later promotion serves
        }
        metrics.serving(task, champion.get().modelId(), champion.get().version(), System.nanoTime() - start);
        metrics.championRegistered(task);
        LOG.infof("serving %s for task %s, announced on the promotions topic%s", champion.get().modelId(), task, e
                .getRestoredAfter().isEmpty() ? "" : " (restored after " + e.getRestoredAfter() + " was rolled back)");
    }

    /**
     * Swaps in {@code loaded} if the registry still names {@code champion} champion, deciding under the lock every
     * champion swap takes: a model loads for seconds, and a restarted replica's champion read at startup may have been
     * replaced meanwhile by a promotion this replica already serves, which an older model must not undo.
     */
    private boolean serveIfChampion(ModelRecord champion, ServedModel loaded) {
        synchronized (championSwap) {
            boolean still = store.find(champion.modelId()).filter(m -> m.stage().equals(ModelRecord.CHAMPION))
                    .isPresent();
            if (still) {
                serving.swap(champion.task(), loaded);
            }
            return still;
        }
    }

    public void onTrained(ModelTrainedEvent e) {
        Events.requireSupported(e.getMeta());
        store.insertOnce(candidate(e));
    }

    public void onEvaluated(ModelEvaluatedEvent e) {
        Events.requireSupported(e.getMeta());
        // The trained event travels on another topic and may not have arrived yet: the verdict carries it.
        store.insertOnce(candidate(e.getTrained()));
        ModelRecord model = store.find(e.getModelId()).orElseThrow();
        store.recordVerdict(e);
        switch (model.stage()) {
            case ModelRecord.CANDIDATE -> {
                String serving = championOf(model.task());
                if (e.getBlessed() && !serving.equals(e.getChampionModelId())) {
                    // Fenced by champion: a verdict is a comparison with one champion, and that one no longer serves.
                    // The candidate waits; evaluation judges it again against the champion now serving.
                    metrics.staleVerdict(model.task());
                    LOG.infof("%s was blessed against %s, but %s serves now: it waits to be judged against it",
                            model.modelId(), e.getChampionModelId().isEmpty()
                                    ? "no champion"
                                    : e
                                            .getChampionModelId(),
                            serving.isEmpty() ? "no champion" : serving);
                } else if (e.getBlessed() && delivery.pinned(model.task())) {
                    LOG.infof("%s is blessed but %s is pinned: it waits as a candidate for an admin to promote it",
                            model.modelId(), model.task());
                } else if (e.getBlessed() && rollouts.progressive(model.task())) {
                    rollouts.start(store.find(model.modelId()).orElseThrow());
                } else if (e.getBlessed()) {
                    promote(store.find(model.modelId()).orElseThrow());
                    audit.automatic("PROMOTE " + model.modelId(), model.task(), "blessed against " + (e
                            .getChampionModelId().isEmpty() ? "no champion" : e.getChampionModelId()) + ": " + e
                                    .getDecisionReason());
                } else {
                    store.reject(model.modelId());
                    metrics.candidateRejected(model.task());
                    LOG.infof("%s stays out of service: %s", model.modelId(), e.getDecisionReason());
                }
            }
            case ModelRecord.CHAMPION -> announce(store.find(model.modelId()).orElseThrow(), null);
            default -> LOG.debugf("%s is %s; verdict replay ignored", model.modelId(), model.stage());
        }
    }

    /** The model serving the task now, or empty. */
    private String championOf(String task) {
        return store.champions().stream().filter(c -> c.task().equals(task)).map(ModelRecord::modelId).findFirst()
                .orElse("");
    }

    /** Loads, warms and swaps in {@code model}, records it as champion (retiring the one before) and announces it. */
    public void promote(ModelRecord model) {
        long start = System.nanoTime();
        ServedModel served = load(model);
        promote(model, () -> serving.swap(model.task(), served), start);
    }

    /** Promotes the task's candidate in rollout: the loaded canary moves into the champion's place. */
    public void promoteCandidate(ModelRecord model) {
        promote(model, () -> {
            if (!serving.promoteCandidate(model.task(), model.modelId())) {
                serving.swap(model.task(), load(model));
            }
        }, System.nanoTime());
    }

    private void promote(ModelRecord model, Runnable swapIn, long start) {
        Optional<ModelRecord> previous = store.champions().stream().filter(c -> c.task().equals(model.task()))
                .filter(c -> !c.modelId().equals(model.modelId())).findFirst();
        long now;
        // Swapped and recorded together: this replica's own startup load, holding a champion it read before, then
        // finds it retired (serveIfChampion) and cannot swap it back over this one.
        synchronized (championSwap) {
            swapIn.run();
            now = System.currentTimeMillis();
            store.promote(model.modelId(), now);
            previous.ifPresent(p -> store.retire(p.modelId(), now));
        }
        metrics.serving(model.task(), model.modelId(), model.version(), System.nanoTime() - start);
        metrics.promoted(model.task());
        metrics.championRegistered(model.task());
        announce(store.find(model.modelId()).orElseThrow(), previous.map(ModelRecord::modelId).orElse(""));
        LOG.infof("promoted %s (version %d) for task %s%s", model.modelId(), model.version(), model.task(),
                previous.map(p -> ", replacing " + p.modelId()).orElse(""));
    }

    private void announce(ModelRecord champion, String previous) {
        publisher.promoted(promotion(champion, previous).build());
    }

    /** The announcement of {@code champion} in service, replacing {@code previous} (empty: none). */
    public static ModelPromotedEvent.Builder promotion(ModelRecord champion, String previous) {
        return ModelPromotedEvent.newBuilder().setMeta(Events.meta(champion.task()))
                .setModelId(champion.modelId()).setPreviousModelId(previous == null ? "" : previous)
                .setArtifact(champion.artifact()).setVersion(champion.version())
                .setSnapshotId(champion.snapshotId() == null ? "" : champion.snapshotId())
                .setTestAccuracy(champion.testAccuracy() == null ? 0 : champion.testAccuracy())
                .setTestMacroF1(champion.testMacroF1() == null ? 0 : champion.testMacroF1());
    }

    private ServedModel load(ModelRecord model) {
        return loader.load(model);
    }

    private static ModelRecord candidate(ModelTrainedEvent e) {
        return new ModelRecord(e.getModelId(), e.getMeta().getTask(), e.getVersion(), e.getSnapshotId(),
                e.getParentModelId(), e.getArtifact(), e.getHyperParameters().toString().replace('\n', ' ').trim(),
                e.getValidationMetrics().getAccuracy(), e.getTrainExamples(), e.getTrainingMillis(),
                ModelRecord.CANDIDATE, null, null, null, System.currentTimeMillis(), null, null, null, null, null);
    }

    public List<ModelRecord> models(String task) {
        return store.forTask(task);
    }
}
