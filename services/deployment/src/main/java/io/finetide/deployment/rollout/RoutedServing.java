package io.finetide.deployment.rollout;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.finetide.deployment.feedback.PredictionId;
import io.finetide.deployment.metrics.RolloutMetrics;
import io.finetide.deployment.serving.DynamicBatching;
import io.finetide.deployment.serving.ServedText;
import io.finetide.deployment.serving.ServingModels;
import io.finetide.proto.v1.RolloutStage;

/**
 * Who answers a predict request, for both serving APIs: the champion (through dynamic batching), or during a canary
 * the candidate for its share of requests; during a shadow the champion answers and the candidate scores a copy
 * afterwards, off the request path. Each answer comes with its prediction ids, the names feedback gives it.
 */
@ApplicationScoped
public class RoutedServing {

    private static final Logger LOG = Logger.getLogger(RoutedServing.class);

    /** An answer and one prediction id per text. */
    public record Served(ServingModels.Answer answer, List<PredictionId> predictionIds) {
    }

    @Inject
    DynamicBatching batching;

    @Inject
    ServingModels serving;

    @Inject
    RolloutService rollouts;

    @Inject
    ShadowScoring shadow;

    @Inject
    RolloutMetrics metrics;

    /**
     * The answer to {@code texts}; {@code requestKey} (may be null) keeps a caller with the same model in a canary.
     *
     * @throws io.finetide.deployment.serving.QueueFullException when the task's queue is full
     * @throws io.finetide.deployment.serving.ServedModel.WrongKindException when the champion tags words
     */
    public Optional<Served> predict(String task, List<ServedText> texts, String requestKey) {
        Optional<Rollout> rollout = rollouts.current(task);
        if (rollout.isPresent() && rollout.get().stage() == RolloutStage.ROLLOUT_CANARY && CanaryRouting.toCanary(
                task, requestKey, rollout.get().canaryShare())) {
            // Unbatched: the canary takes a small share, and a candidate gone since routing falls back below.
            Optional<ServingModels.Answer> canary = serving.predictCandidate(task, texts);
            if (canary.isPresent()) {
                rollout.get().counted();
                metrics.canaryAnswered(task, texts.size());
                return canary.map(RoutedServing::served);
            }
        }
        Optional<Served> served = batching.predict(task, texts).map(RoutedServing::served);
        if (served.isPresent() && rollout.isPresent() && rollout.get().stage() == RolloutStage.ROLLOUT_SHADOW
                && served.get().answer().modelId().equals(rollout.get().championId())) {
            shadow(rollout.get(), texts, served.get());
        }
        return served;
    }

    private void shadow(Rollout r, List<ServedText> texts, Served champion) {
        boolean queued = shadow.submit(() -> {
            try {
                long start = System.nanoTime();
                Optional<ServingModels.Answer> candidate = serving.predictCandidate(r.task(), texts);
                if (candidate.isEmpty() || !candidate.get().modelId().equals(r.candidateId())) {
                    return; // the rollout moved on meanwhile
                }
                int agreed = 0;
                for (int i = 0; i < texts.size(); i++) {
                    String label = candidate.get().predictions().get(i).label();
                    if (label.equals(champion.answer().predictions().get(i).label())) {
                        agreed++;
                    }
                    shadow.remember(champion.predictionIds().get(i).encoded(), new ShadowScoring.ShadowAnswer(r
                            .candidateId(), label));
                }
                metrics.shadowScored(r.task(), agreed, texts.size() - agreed, System.nanoTime() - start);
                rollouts.shadowed(r, agreed, texts.size());
            } catch (RuntimeException e) {
                LOG.warnf(e, "shadow scoring by %s failed; the caller's answer was the champion's", r.candidateId());
            }
        });
        if (!queued) {
            metrics.shadowDropped(r.task());
        }
    }

    /** The answer with fresh prediction ids (for an answer that was not routed: a version asked for by number). */
    public static Served served(ServingModels.Answer answer) {
        return new Served(answer, answer.predictions().stream().map(p -> PredictionId.next(answer.modelId(), p
                .label())).toList());
    }
}
