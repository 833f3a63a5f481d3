package io.finetide.evaluation.metrics;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.evaluation.gate.PromotionGate;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.tasks.KeyedRegistry;
import io.finetide.runtime.metrics.GaugeValues;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** The evaluation service's metrics; every name is in {@code docs/METRICS.md}. */
@ApplicationScoped
public class EvaluationMetrics {

    /**
     * Verdicts, tags {@code task}, {@code outcome} (blessed, rejected) and {@code rule}: the rule that decided
     * (test-examples, first-champion, policy, floor, class-regression, slice-regression, recent-regression,
     * robustness).
     */
    public static final String EVALUATIONS = "finetide.evaluation.verdicts";
    /** Trained events already judged (the stored verdict is re-announced). */
    public static final String REPLAYS = "finetide.evaluation.replays";
    /**
     * Candidates judged again because the champion they were blessed against was replaced before they could be
     * promoted, tag {@code task}.
     */
    public static final String REJUDGED = "finetide.evaluation.rejudged";
    /** Trained events refused, tag {@code reason}. */
    public static final String REJECTED = "finetide.evaluation.candidates.rejected";
    /** Tasks whose champion this service knows (and compares candidates with). */
    public static final String CHAMPIONS = "finetide.evaluation.champions.known";
    /** The latest candidate's figure on the gate's metric, tags {@code task}, {@code metric} (macro_f1, entity_f1). */
    public static final String CANDIDATE_SCORE = "finetide.evaluation.candidate.score";
    /**
     * The champion's figure on the gate's metric, the same tags: after a blessing the new champion's (the candidate's),
     * otherwise the one the candidate was compared with.
     */
    public static final String CHAMPION_SCORE = "finetide.evaluation.champion.score";

    @Inject
    MeterRegistry registry;

    @Inject
    GaugeValues gauges;

    /** The champions gauge, bound to this instance's registry of champions. */
    private Gauge champions;

    public void watchChampions(KeyedRegistry<?> known) {
        champions = Gauge.builder(CHAMPIONS, known, c -> c.all().size()).register(registry);
    }

    /**
     * A gauge is bound to the object it reads: removed with this bean, so that a service started again in the same
     * JVM (as tests do) binds a new one instead of getting back the old, which reads a registry nobody updates.
     */
    @PreDestroy
    void unwatch() {
        if (champions != null) {
            registry.remove(champions);
        }
    }

    public void verdict(String task, PromotionGate.Decision d) {
        registry.counter(EVALUATIONS, "task", task, "outcome", d.blessed() ? "blessed" : "rejected", "rule", d
                .ruleTag()).increment();
        Tags tags = Tags.of("task", task, "metric", d.figure().tag());
        if (!Double.isNaN(d.candidateScore())) {
            gauges.set(CANDIDATE_SCORE, tags, d.candidateScore());
        }
        // The champion's figure: the one it was just compared on, or the blessed first champion's own.
        double champion = d.blessed() ? d.candidateScore() : d.championScore();
        if (!Double.isNaN(champion)) {
            gauges.set(CHAMPION_SCORE, tags, champion);
        }
    }

    public void rejudged(String task) {
        registry.counter(REJUDGED, "task", task).increment();
    }

    public void replay() {
        registry.counter(REPLAYS).increment();
    }

    public void rejected(ReasonCode reason) {
        registry.counter(REJECTED, "reason", reason.tag()).increment();
    }
}
