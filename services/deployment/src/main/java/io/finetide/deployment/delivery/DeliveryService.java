package io.finetide.deployment.delivery;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.feedback.LiveQuality;
import io.finetide.deployment.messaging.EventPublisher;
import io.finetide.deployment.metrics.DeploymentMetrics;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.serving.ModelLoader;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.DeliveryActionRecord;
import io.finetide.deployment.store.DeliveryActionRecord.DeliveryAction;
import io.finetide.deployment.store.DeliveryStore;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.deployment.store.ModelStore;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.ModelRolledBackEvent;
import io.finetide.runtime.audit.AuditTrail;

/**
 * What serves a task after promotion: the automatic rollback of a champion whose live results turn bad, and an
 * admin's promotion, rollback and pin, each recorded with who and why. Every replica reads the same feedback and so
 * reaches the same decision; the registry's conditional update lets one of them record and announce it, and each
 * swaps its own serving.
 */
@ApplicationScoped
public class DeliveryService {

    static final String AUTOMATIC = AuditTrail.AUTOMATIC;
    private static final Logger LOG = Logger.getLogger(DeliveryService.class);

    /** The outcome of an admin's request: done, or refused with a reason. */
    public record Outcome(boolean done, String reason, String modelId) {
    }

    @Inject
    AuditTrail audit;

    @Inject
    ModelStore store;

    @Inject
    DeliveryStore delivery;

    @Inject
    ServingModels serving;

    @Inject
    ModelLoader loader;

    @Inject
    RegistryService registry;

    @Inject
    LiveQuality live;

    @Inject
    EventPublisher publisher;

    @Inject
    DeploymentMetrics metrics;

    @Inject
    DeploymentConfig config;

    /** After feedback on {@code modelId}'s predictions: rolls the task's champion back if its live results fail. */
    public void judgeLive(String task, String modelId) {
        if (!serving.servedModelId(task).equals(Optional.of(modelId))) {
            return;
        }
        RollbackPolicy policy = RollbackPolicy.of(config.rollback(), task);
        Optional<LiveQuality.ModelFigures> figures = live.figures(task, modelId);
        if (!policy.enabled() || figures.isEmpty() || figures.get().feedback() < policy.minFeedback()) {
            return;
        }
        ModelRecord champion = store.find(modelId).orElse(null);
        if (champion == null) {
            return;
        }
        if (!champion.stage().equals(ModelRecord.CHAMPION)) {
            followRegistry(task);
            return;
        }
        Optional<ModelRecord> previous = store.previousChampion(task);
        if (previous.isEmpty() || delivery.pinned(task)) {
            return;
        }
        Optional<LiveQuality.ModelFigures> before = live.figures(task, previous.get().modelId()).filter(f -> f
                .feedback() >= policy.minFeedback());
        LiveQuality.ModelFigures now = figures.get();
        String reason = null;
        if (champion.testAccuracy() != null && now.accuracy() < champion.testAccuracy() - policy.tolerance()) {
            reason = String.format(Locale.ROOT, "live accuracy %.4f over its last %d feedback events is below its "
                    + "offline test accuracy %.4f by more than %.4f", now.accuracy(), now.feedback(),
                    champion
                            .testAccuracy(),
                    policy.tolerance());
        } else if (before.isPresent() && now.accuracy() < before.get().accuracy() - policy.tolerance()) {
            reason = String.format(Locale.ROOT, "live accuracy %.4f over its last %d feedback events is below the "
                    + "previous champion's %.4f by more than %.4f", now.accuracy(), now.feedback(),
                    before.get()
                            .accuracy(),
                    policy.tolerance());
        }
        if (reason != null) {
            rollBack(champion, previous.get(), reason, AUTOMATIC);
        }
    }

    /** An admin's rollback: the champion out, the previous champion back. */
    public Outcome rollBack(String task, String reason, String actor) {
        Optional<ModelRecord> champion = store.champions().stream().filter(c -> c.task().equals(task)).findFirst();
        if (champion.isEmpty()) {
            return new Outcome(false, "NO_CHAMPION", null);
        }
        Optional<ModelRecord> previous = store.previousChampion(task);
        if (previous.isEmpty()) {
            return new Outcome(false, "NO_PREVIOUS_CHAMPION", null);
        }
        rollBack(champion.get(), previous.get(), reason, actor);
        return new Outcome(true, "OK", previous.get().modelId());
    }

    /** An admin's promotion of any registered model of the task (a pinned candidate, or a retired champion). */
    public Outcome promote(String task, String modelId, String reason, String actor) {
        Optional<ModelRecord> model = store.find(modelId).filter(m -> m.task().equals(task));
        if (model.isEmpty()) {
            return new Outcome(false, "NOT_FOUND", modelId);
        }
        if (model.get().stage().equals(ModelRecord.CHAMPION)) {
            return new Outcome(false, "ALREADY_CHAMPION", modelId);
        }
        String replaced = serving.servedModelId(task).orElse("");
        registry.promote(model.get());
        delivery.record(new DeliveryActionRecord(task, DeliveryAction.PROMOTE, modelId, replaced, actor, reason,
                System.currentTimeMillis()));
        return new Outcome(true, "OK", modelId);
    }

    /** Freezes (or thaws) automatic promotion and rollback for the task. */
    public void pin(String task, boolean pinned, String reason, String actor) {
        delivery.pin(task, pinned);
        delivery.record(new DeliveryActionRecord(task, pinned ? DeliveryAction.PIN : DeliveryAction.UNPIN,
                serving.servedModelId(task).orElse(""), "", actor, reason, System.currentTimeMillis()));
    }

    private synchronized void rollBack(ModelRecord champion, ModelRecord previous, String reason, String actor) {
        String task = champion.task();
        long start = System.nanoTime();
        if (serving.swapIf(task, champion.modelId(), loader.load(previous))) {
            metrics.serving(task, previous.modelId(), previous.version(), System.nanoTime() - start);
        }
        long now = System.currentTimeMillis();
        if (!store.rollBack(champion.modelId(), now)) {
            return; // another replica recorded and announced it; this one only swapped
        }
        store.promote(previous.modelId(), now);
        LiveQuality.ModelFigures figures = live.figures(task, champion.modelId()).orElse(new LiveQuality.ModelFigures(
                champion.modelId(), 0, 0, Double.NaN, Double.NaN));
        delivery.record(new DeliveryActionRecord(task, DeliveryAction.ROLLBACK, champion.modelId(), previous.modelId(),
                actor, reason, now));
        publisher.rolledBack(ModelRolledBackEvent.newBuilder().setMeta(Events.meta(task)).setModelId(champion
                .modelId()).setRestoredModelId(previous.modelId()).setReason(reason).setActor(actor).setLiveFeedback(
                        figures.feedback())
                .setLiveAccuracy(figures.accuracy()).setOfflineAccuracy(champion
                        .testAccuracy() == null ? Double.NaN : champion.testAccuracy())
                .setRestoredLiveAccuracy(live.figures(task, previous.modelId()).map(
                        LiveQuality.ModelFigures::accuracy).orElse(Double.NaN))
                .build());
        // The restored champion is announced like any promotion: training continues from it, evaluation compares
        // candidates with it, preprocessing measures drift against its data.
        publisher.promoted(RegistryService.promotion(store.find(previous.modelId()).orElseThrow(), champion.modelId())
                .setRestoredAfter(champion.modelId()).build());
        metrics.rolledBack(task, AUTOMATIC.equals(actor));
        if (AUTOMATIC.equals(actor)) {
            // An admin's rollback is in the audit log already, as the call it was.
            audit.automatic("ROLLBACK " + champion.modelId(), task, reason);
        }
        LOG.warnf("rolled back %s for task %s, %s back in service (%s): %s", champion.modelId(), task, previous
                .modelId(), actor, reason);
    }

    /** Another replica changed the task's champion: serve what the registry says. */
    private void followRegistry(String task) {
        store.champions().stream().filter(c -> c.task().equals(task)).findFirst().ifPresent(c -> {
            String served = serving.servedModelId(task).orElse("");
            if (!served.equals(c.modelId())) {
                serving.swapIf(task, served, loader.load(c));
            }
        });
    }
}
