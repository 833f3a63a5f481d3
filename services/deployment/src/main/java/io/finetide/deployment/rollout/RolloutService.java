package io.finetide.deployment.rollout;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.deployment.config.DeploymentConfig;
import io.finetide.deployment.feedback.LiveQuality;
import io.finetide.deployment.feedback.PredictionId;
import io.finetide.deployment.messaging.EventPublisher;
import io.finetide.deployment.metrics.RolloutMetrics;
import io.finetide.deployment.registry.RegistryService;
import io.finetide.deployment.serving.ModelLoader;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.deployment.store.DeliveryActionRecord;
import io.finetide.deployment.store.DeliveryActionRecord.DeliveryAction;
import io.finetide.deployment.store.DeliveryStore;
import io.finetide.deployment.store.ModelRecord;
import io.finetide.deployment.store.ModelStore;
import io.finetide.platform.events.Events;
import io.finetide.proto.v1.FeedbackEvent;
import io.finetide.proto.v1.RolloutEvent;
import io.finetide.proto.v1.RolloutStage;
import io.finetide.runtime.audit.AuditTrail;

/**
 * Progressive delivery: a blessed candidate goes into shadow beside the champion, then answers a canary share, then
 * becomes champion, each stage judged on live requests and feedback ({@link RolloutJudge}). The registry's stage is
 * the truth and its conditional update lets one replica decide a transition; the decision goes out on the rollouts
 * topic, which every replica follows to serve the same candidate in the same stage.
 */
@ApplicationScoped
public class RolloutService {

    static final String AUTOMATIC = AuditTrail.AUTOMATIC;
    private static final Logger LOG = Logger.getLogger(RolloutService.class);

    /** A rollout as {@code GET .../delivery/rollout} shows it, with the judge's current word on it. */
    public record RolloutView(String task, String modelId, String championModelId, String stage, double canaryShare,
            long stageRequests, long stageFeedback, double candidateAccuracy, double referenceAccuracy,
            String reference, double shadowAgreement, String judgement) {
    }

    @Inject
    AuditTrail audit;

    @Inject
    ModelStore store;

    @Inject
    ModelLoader loader;

    @Inject
    ServingModels serving;

    @Inject
    LiveQuality live;

    @Inject
    EventPublisher publisher;

    @Inject
    RolloutMetrics metrics;

    @Inject
    DeploymentConfig config;

    @Inject
    DeliveryStore delivery;

    @Inject
    RegistryService registry;

    @Inject
    ShadowScoring shadow;

    private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();

    public RolloutPolicy policy(String task) {
        return RolloutPolicy.of(config.rollout(), task);
    }

    /**
     * Whether a blessed candidate of the task goes through shadow and canary: the task asks for it and has a champion
     * that labels texts (a first model has nothing to be measured against; taggers go straight in).
     */
    public boolean progressive(String task) {
        return policy(task).progressive() && serving.servesTagger(task).equals(Optional.of(false));
    }

    Optional<Rollout> current(String task) {
        return Optional.ofNullable(rollouts.get(task));
    }

    /** Puts a blessed candidate into shadow, aborting the rollout of any older candidate of its task. */
    public synchronized void start(ModelRecord candidate) {
        String task = candidate.task();
        for (ModelRecord older : store.inRollout()) {
            if (older.task().equals(task) && !older.modelId().equals(candidate.modelId())) {
                Rollout r = rollouts.get(task);
                abort(r != null && r.candidateId().equals(older.modelId()) ? r : restored(older), "superseded by "
                        + "the newer blessed candidate " + candidate.modelId(), AUTOMATIC);
            }
        }
        if (!store.transition(candidate.modelId(), ModelRecord.CANDIDATE, ModelRecord.SHADOW)) {
            return;
        }
        String champion = serving.servedModelId(task).orElse("");
        Rollout r = new Rollout(task, candidate.modelId(), champion, policy(task).canaryShare(),
                RolloutStage.ROLLOUT_SHADOW, taken(task, candidate.modelId()));
        try {
            serving.putCandidate(task, loader.load(candidate));
        } catch (RuntimeException e) {
            abort(r, "cannot be loaded: " + e.getMessage(), AUTOMATIC);
            throw e;
        }
        rollouts.put(task, r);
        metrics.started(task);
        metrics.transition(task, RolloutStage.ROLLOUT_SHADOW);
        publisher.rollout(event(r, RolloutStage.ROLLOUT_SHADOW, "blessed by evaluation: scores a copy of live "
                + "traffic beside " + champion, AUTOMATIC, null).build());
        LOG.infof("%s in shadow beside %s for task %s", candidate.modelId(), champion, task);
    }

    /** Puts the rollouts recorded in the registry back after a restart. */
    public void restore() {
        for (ModelRecord m : store.inRollout()) {
            try {
                serving.putCandidate(m.task(), loader.load(m));
                rollouts.put(m.task(), restored(m));
                metrics.started(m.task());
                metrics.stage(m.task(), stageOf(m));
            } catch (RuntimeException e) {
                LOG.errorf(e, "cannot load %s, in %s", m.modelId(), m.stage());
            }
        }
    }

    private Rollout restored(ModelRecord m) {
        return new Rollout(m.task(), m.modelId(), serving.servedModelId(m.task()).orElse(""), policy(m.task())
                .canaryShare(), stageOf(m), taken(m.task(), m.modelId()));
    }

    /** Feedback on a served prediction: judges the candidate's shadow answer to it, if it gave one, then the stage. */
    public void onFeedback(FeedbackEvent e) {
        String task = e.getMeta().getTask();
        shadow.take(e.getPredictionId()).ifPresent(a -> PredictionId.parse(e.getPredictionId()).ifPresent(
                champion -> live.onShadowFeedback(task, new PredictionId(a.candidateId(), a.label(), champion
                        .nonce()), e.getLabel())));
        if (rollouts.containsKey(task)) {
            judge(task);
        }
    }

    /** The candidate scored a request's copy in shadow. */
    void shadowed(Rollout r, int agreed, int texts) {
        r.shadowed(agreed, texts);
        judge(r.task());
    }

    /** Moves the task's rollout on, or ends it, when its evidence says so; a pinned task's rollout waits. */
    public synchronized void judge(String task) {
        Rollout r = rollouts.get(task);
        if (r == null) {
            return;
        }
        RolloutJudge.Evidence e = evidence(r);
        RolloutJudge.Verdict v = RolloutJudge.judge(policy(task), r.stage(), e);
        if (v.decision() != RolloutJudge.Decision.WAIT && delivery.pinned(task)) {
            return; // read only when there is something to do: the judge runs on every feedback event
        }
        switch (v.decision()) {
            case WAIT -> {
            }
            case ABORT -> abort(r, v.reason(), AUTOMATIC);
            case ADVANCE -> {
                if (r.stage() == RolloutStage.ROLLOUT_SHADOW) {
                    toCanary(r, v.reason(), e);
                } else {
                    toChampion(r, v.reason(), e);
                }
            }
        }
    }

    private void toCanary(Rollout r, String reason, RolloutJudge.Evidence e) {
        if (!store.transition(r.candidateId(), ModelRecord.SHADOW, ModelRecord.CANARY)) {
            return; // another replica moved it: its event on the rollouts topic brings the change here
        }
        RolloutEvent event = event(r, RolloutStage.ROLLOUT_CANARY, reason, AUTOMATIC, e).build();
        r.enter(RolloutStage.ROLLOUT_CANARY, taken(r.task(), r.candidateId()));
        metrics.transition(r.task(), RolloutStage.ROLLOUT_CANARY);
        publisher.rollout(event);
        LOG.infof("%s is a canary for task %s (share %.2f): %s", r.candidateId(), r.task(), r.canaryShare(), reason);
    }

    private void toChampion(Rollout r, String reason, RolloutJudge.Evidence e) {
        if (!store.transition(r.candidateId(), ModelRecord.CANARY, ModelRecord.CHAMPION)) {
            return;
        }
        rollouts.remove(r.task(), r);
        registry.promoteCandidate(store.find(r.candidateId()).orElseThrow());
        audit.automatic("PROMOTE " + r.candidateId() + " (rollout)", r.task(), reason);
        metrics.transition(r.task(), RolloutStage.ROLLOUT_PROMOTED);
        publisher.rollout(event(r, RolloutStage.ROLLOUT_PROMOTED, reason, AUTOMATIC, e).build());
    }

    /** An admin's abort of the task's rollout; empty when it has none. */
    public synchronized Optional<String> abort(String task, String reason, String actor) {
        Rollout r = rollouts.get(task);
        if (r == null) {
            return Optional.empty();
        }
        abort(r, reason, actor);
        return Optional.of(r.candidateId());
    }

    private void abort(Rollout r, String reason, String actor) {
        String from = recordStage(r.stage());
        RolloutJudge.Evidence e = evidence(r);
        rollouts.remove(r.task(), r);
        serving.dropCandidate(r.task(), r.candidateId());
        metrics.stage(r.task(), RolloutStage.ROLLOUT_ABORTED);
        if (!store.transition(r.candidateId(), from, ModelRecord.ABORTED)) {
            return;
        }
        delivery.record(new DeliveryActionRecord(r.task(), DeliveryAction.ABORT, r.candidateId(), r.championId(),
                actor, reason, System.currentTimeMillis()));
        metrics.transition(r.task(), RolloutStage.ROLLOUT_ABORTED);
        publisher.rollout(event(r, RolloutStage.ROLLOUT_ABORTED, reason, actor, e).build());
        LOG.warnf("rollout of %s for task %s aborted (%s): %s", r.candidateId(), r.task(), actor, reason);
    }

    /** A transition announced on the rollouts topic, by this replica or another: serve what it says. */
    public synchronized void onRolloutEvent(RolloutEvent e) {
        Events.requireSupported(e.getMeta());
        String task = e.getMeta().getTask();
        Rollout r = rollouts.get(task);
        boolean ours = r != null && r.candidateId().equals(e.getModelId());
        switch (e.getStage()) {
            case ROLLOUT_SHADOW, ROLLOUT_CANARY -> {
                String stage = recordStage(e.getStage());
                Optional<ModelRecord> m = store.find(e.getModelId()).filter(x -> x.stage().equals(stage));
                if (m.isEmpty() || ours && r.stage() == e.getStage()) {
                    return; // a replay of a stage since left, or a transition this replica made
                }
                if (!serving.candidateModelId(task).equals(Optional.of(e.getModelId()))) {
                    serving.putCandidate(task, loader.load(m.get()));
                }
                if (!ours) {
                    r = new Rollout(task, e.getModelId(), e.getChampionModelId(), e.getCanaryShare(), e.getStage(),
                            taken(task, e.getModelId()));
                    rollouts.put(task, r);
                    metrics.started(task);
                }
                r.enter(e.getStage(), taken(task, e.getModelId()));
                metrics.stage(task, e.getStage());
            }
            case ROLLOUT_PROMOTED, ROLLOUT_ABORTED -> {
                if (ours) {
                    rollouts.remove(task, r);
                    metrics.stage(task, e.getStage());
                }
                serving.dropCandidate(task, e.getModelId());
            }
            default -> throw new IllegalArgumentException("rollout event without a stage for " + e.getModelId());
        }
    }

    public Optional<RolloutView> view(String task) {
        return current(task).map(r -> {
            RolloutJudge.Evidence e = evidence(r);
            return new RolloutView(task, r.candidateId(), r.championId(), RolloutMetrics.tag(r.stage()), r
                    .canaryShare(), e.requests(), e.feedback(), e.candidateAccuracy(), e.referenceAccuracy(),
                    e
                            .reference(),
                    r.agreement(), RolloutJudge.judge(policy(task), r.stage(), e).reason());
        });
    }

    private RolloutJudge.Evidence evidence(Rollout r) {
        Optional<LiveQuality.ModelFigures> candidate = live.figures(r.task(), r.candidateId());
        Optional<LiveQuality.ModelFigures> champion = live.figures(r.task(), r.championId()).filter(f -> f
                .feedback() > 0);
        long feedback = candidate.map(LiveQuality.ModelFigures::taken).orElse(0L) - r.feedbackBaseline();
        double accuracy = candidate.map(LiveQuality.ModelFigures::accuracy).orElse(Double.NaN);
        if (champion.isPresent()) {
            return new RolloutJudge.Evidence(r.requests(), feedback, accuracy, champion.get().accuracy(),
                    "the champion's live accuracy");
        }
        Double offline = store.find(r.candidateId()).map(ModelRecord::testAccuracy).orElse(null);
        return new RolloutJudge.Evidence(r.requests(), feedback, accuracy, offline == null ? Double.NaN : offline,
                "its offline test accuracy");
    }

    private long taken(String task, String modelId) {
        return live.figures(task, modelId).map(LiveQuality.ModelFigures::taken).orElse(0L);
    }

    /** The registry's stage of a candidate in shadow or canary. */
    private static String recordStage(RolloutStage stage) {
        return stage == RolloutStage.ROLLOUT_SHADOW ? ModelRecord.SHADOW : ModelRecord.CANARY;
    }

    private static RolloutStage stageOf(ModelRecord m) {
        return m.stage().equals(ModelRecord.SHADOW) ? RolloutStage.ROLLOUT_SHADOW : RolloutStage.ROLLOUT_CANARY;
    }

    private static RolloutEvent.Builder event(Rollout r, RolloutStage stage, String reason, String actor,
            RolloutJudge.Evidence e) {
        RolloutEvent.Builder b = RolloutEvent.newBuilder().setMeta(Events.meta(r.task())).setModelId(r
                .candidateId()).setChampionModelId(r.championId()).setStage(stage).setReason(reason).setActor(actor)
                .setCanaryShare(r.canaryShare());
        if (e != null) {
            b.setStageRequests(e.requests()).setStageFeedback(e.feedback()).setCandidateAccuracy(e
                    .candidateAccuracy()).setReferenceAccuracy(e.referenceAccuracy()).setShadowAgreement(r
                            .agreement());
        }
        return b;
    }
}
