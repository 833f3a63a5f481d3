package io.finetide.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.finetide.evaluation.gate.Evidence;
import io.finetide.evaluation.gate.PromotionGate;
import io.finetide.evaluation.robustness.FlipRates;
import io.finetide.evaluation.robustness.Perturbation;
import io.finetide.platform.tasks.TaskDefaults;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.GateRule;
import io.finetide.proto.v1.MetricFloors;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.PromotionPolicy;
import io.finetide.proto.v1.RuleOutcome;
import io.finetide.proto.v1.Significance;
import io.finetide.proto.v1.SliceMetrics;

class PromotionGateTest {

    static final EvaluationSpec DEFAULTS = TaskDefaults.DEFAULT_EVALUATION;

    /** Two classes with these F1s; macro-F1 their mean. */
    static Metrics f1(double a, double b) {
        return Metrics.newBuilder().setExamples(100).setMacroF1((a + b) / 2).setAccuracy((a + b) / 2).addPerClass(
                ClassMetrics.newBuilder().setLabel("a").setF1(a).setSupport(50)).addPerClass(
                        ClassMetrics
                                .newBuilder().setLabel("b").setF1(b).setSupport(50))
                .build();
    }

    static Significance interval(double difference, double lower, double upper) {
        return Significance.newBuilder().setDifference(difference).setLower(lower).setUpper(upper).setConfidence(0.95)
                .setResamples(1000).setMcnemarPValue(0.5).build();
    }

    static Evidence evidence(Metrics candidate, Metrics champion, Significance s, List<SliceMetrics> slices,
            List<FlipRates.Result> robustness) {
        return new Evidence(PromotionGate.Figure.MACRO_F1, "golden test set, 100 examples", candidate, champion, s,
                slices, robustness, null, null, null, null);
    }

    static Evidence compared(Metrics candidate, Metrics champion, Significance s) {
        return evidence(candidate, champion, s, List.of(), List.of());
    }

    static EvaluationSpec policy(PromotionPolicy p) {
        return DEFAULTS.toBuilder().setPolicy(p).build();
    }

    @Test
    void aStudentOverItsServingBudgetIsKeptOutAndOneWithinItIsJudgedByTheOtherRules() {
        EvaluationSpec lenient = DEFAULTS.toBuilder().setPolicy(PromotionPolicy.NON_INFERIORITY)
                .setNonInferiorityMargin(0.05).build();
        io.finetide.proto.v1.ServingCost champion = io.finetide.proto.v1.ServingCost.newBuilder().setLatencyMsP50(2.0)
                .setBundleBytes(1000).build();
        io.finetide.proto.v1.ServingCost student = io.finetide.proto.v1.ServingCost.newBuilder().setLatencyMsP50(1.1)
                .setBundleBytes(700).build();
        Evidence e = new Evidence(PromotionGate.Figure.MACRO_F1, "golden test set, 100 examples", f1(0.79, 0.79), f1(
                0.8, 0.8), interval(-0.01, -0.03, 0.01), List.of(), List.of(), null, null, student, champion);

        PromotionGate.Decision within = PromotionGate.decide(e, lenient, 0, budget(0.6, 0.75));
        assertThat(within.blessed()).isTrue();
        assertThat(within.rule()).isEqualTo(GateRule.POLICY);
        assertThat(within.rules()).filteredOn(r -> r.getRule() == GateRule.SERVING_BUDGET).singleElement()
                .satisfies(r -> {
                    assertThat(r.getPassed()).isTrue();
                    assertThat(r.getGating()).isTrue();
                    assertThat(r.getDetail()).contains("latency p50 0.55x", "bundle 0.70x", "latency 0.60x",
                            "bundle 0.75x");
                });
        PromotionGate.Decision slow = PromotionGate.decide(e, lenient, 0, budget(0.5, 0));
        assertThat(slow.blessed()).isFalse();
        assertThat(slow.rule()).isEqualTo(GateRule.SERVING_BUDGET);
        assertThat(slow.reason()).startsWith("keep champion: candidate latency p50 0.55x").contains("bundle any");
        PromotionGate.Decision big = PromotionGate.decide(e, lenient, 0, budget(0, 0.6));
        assertThat(big.blessed()).isFalse();
        assertThat(big.rule()).isEqualTo(GateRule.SERVING_BUDGET);
        // Without a budget (any candidate not distilled) the rule is not there; without a champion it only reports.
        assertThat(PromotionGate.decide(e, lenient, 0).rules()).noneMatch(r -> r.getRule() == GateRule.SERVING_BUDGET);
        PromotionGate.Decision first = PromotionGate.decide(new Evidence(PromotionGate.Figure.MACRO_F1, "test split",
                f1(0.79, 0.79), null, null, List.of(), List.of(), null, null, student, null), lenient, 0,
                budget(0.5,
                        0.5));
        assertThat(first.blessed()).isTrue();
        assertThat(first.rules()).filteredOn(r -> r.getRule() == GateRule.SERVING_BUDGET).singleElement()
                .satisfies(r -> assertThat(r.getGating()).isFalse());
    }

    static io.finetide.proto.v1.ServingBudget budget(double latency, double bundle) {
        return io.finetide.proto.v1.ServingBudget.newBuilder().setMaxLatencyRatio(latency).setMaxBundleRatio(bundle)
                .build();
    }

    @Test
    void theFirstModelIsBlessedUnlessBelowAFloorAndNothingIsBlessedWithoutTestExamples() {
        PromotionGate.Decision first = PromotionGate.decide(compared(f1(0.5, 0.5), null, null), DEFAULTS, 0);
        assertThat(first.blessed()).isTrue();
        assertThat(first.rule()).isEqualTo(GateRule.FIRST_CHAMPION);
        assertThat(first.ruleTag()).isEqualTo("first-champion");

        EvaluationSpec floor = DEFAULTS.toBuilder().setFloors(MetricFloors.newBuilder().setMacroF1(0.8)).build();
        PromotionGate.Decision low = PromotionGate.decide(compared(f1(0.7, 0.8), null, null), floor, 0);
        assertThat(low.blessed()).isFalse();
        assertThat(low.rule()).isEqualTo(GateRule.FLOOR);
        assertThat(low.reason()).isEqualTo("keep champion: candidate macro-F1 0.7500 is below the floor 0.8000");
        assertThat(PromotionGate.decide(compared(f1(0.8, 0.8), null, null), floor, 0).blessed()).isTrue();

        PromotionGate.Decision none = PromotionGate.decide(compared(Metrics.newBuilder().setExamples(0).build(),
                null, null), DEFAULTS, 0);
        assertThat(none.blessed()).isFalse();
        assertThat(none.rule()).isEqualTo(GateRule.TEST_EXAMPLES);
    }

    @Test
    void thePlainMarginComparesTheFiguresAlone() {
        Significance any = interval(0, -1, 1);
        assertThat(PromotionGate.decide(compared(f1(0.83, 0.83), f1(0.8, 0.8), any), DEFAULTS, 0.02).blessed())
                .isTrue();
        PromotionGate.Decision short1 = PromotionGate.decide(compared(f1(0.81, 0.81), f1(0.8, 0.8), any), DEFAULTS,
                0.02);
        assertThat(short1.blessed()).isFalse();
        assertThat(short1.rule()).isEqualTo(GateRule.POLICY);
        assertThat(short1.reason()).startsWith("keep champion: PLAIN_MARGIN, gain below the margin 0.0200; "
                + "candidate macro-F1 0.8100 vs champion 0.8000 (+0.0100)");
        // A margin of 0 blesses a tie: a model as good on more data replaces the champion.
        assertThat(PromotionGate.decide(compared(f1(0.8, 0.8), f1(0.8, 0.8), any), DEFAULTS, 0).blessed()).isTrue();
        assertThat(PromotionGate.decide(compared(f1(0.79, 0.79), f1(0.8, 0.8), any), DEFAULTS, 0).blessed())
                .isFalse();
    }

    @Test
    void superiorityNeedsTheWholeIntervalAboveZero() {
        EvaluationSpec spec = policy(PromotionPolicy.SUPERIORITY);
        assertThat(PromotionGate.decide(compared(f1(0.9, 0.9), f1(0.8, 0.8), interval(0.1, 0.001, 0.2)), spec, 0)
                .blessed()).isTrue();
        PromotionGate.Decision d = PromotionGate.decide(compared(f1(0.9, 0.9), f1(0.8, 0.8), interval(0.1, -0.001,
                0.2)), spec, 0);
        assertThat(d.blessed()).isFalse();
        assertThat(d.reason()).contains("not shown superior").contains("95% paired bootstrap interval [-0.0010, "
                + "+0.2000]").contains("McNemar p = 0.5000");
    }

    @Test
    void nonInferiorityPromotesASlightlyWorseCandidateUnlessItMayBeWorseThanTheMargin() {
        EvaluationSpec spec = policy(PromotionPolicy.NON_INFERIORITY).toBuilder().setNonInferiorityMargin(0.01)
                .build();
        PromotionGate.Decision within = PromotionGate.decide(compared(f1(0.798, 0.798), f1(0.8, 0.8), interval(
                -0.002, -0.009, 0.005)), spec, 0);
        assertThat(within.blessed()).isTrue();
        assertThat(within.reason()).startsWith("promote: NON_INFERIORITY, non-inferior");
        assertThat(PromotionGate.decide(compared(f1(0.798, 0.798), f1(0.8, 0.8), interval(-0.002, -0.011, 0.005)),
                spec, 0).blessed()).isFalse();
    }

    @Test
    void aClassThatFallsFurtherThanTheToleranceIsRefusedEvenWhenTheAverageRises() {
        PromotionGate.Decision d = PromotionGate.decide(compared(f1(0.99, 0.75), f1(0.7, 0.81), interval(0.1, 0.05,
                0.15)), DEFAULTS, 0);
        assertThat(d.blessed()).isFalse();
        assertThat(d.rule()).isEqualTo(GateRule.CLASS_REGRESSION);
        assertThat(d.reason()).isEqualTo("keep champion: per-class F1 falls by more than 0.0500: 'b' F1 0.7500 vs "
                + "0.8100 (-0.0600)");
        assertThat(PromotionGate.decide(compared(f1(0.99, 0.77), f1(0.7, 0.81), interval(0.1, 0.05, 0.15)),
                DEFAULTS, 0).blessed()).isTrue();
    }

    static SliceMetrics slice(String key, String value, int n, double candidate, double champion) {
        return SliceMetrics.newBuilder().setKey(key).setValue(value).setExamples(n).setCandidate(candidate)
                .setChampion(champion).setGated(n >= DEFAULTS.getSliceMinExamples()).build();
    }

    @Test
    void aSliceThatFallsIsRefusedWithItsNameAndASmallOneIsOnlyReported() {
        Significance up = interval(0.05, 0.01, 0.1);
        PromotionGate.Decision d = PromotionGate.decide(evidence(f1(0.9, 0.9), f1(0.85, 0.85), up, List.of(slice(
                "branch", "north", 40, 0.6, 0.9), slice("branch", "south", 60, 0.99, 0.8)), List.of()), DEFAULTS, 0);
        assertThat(d.blessed()).isFalse();
        assertThat(d.rule()).isEqualTo(GateRule.SLICE_REGRESSION);
        assertThat(d.reason()).startsWith("keep champion: slice branch=north (40 examples): candidate macro-F1 0.6000 "
                + "vs champion 0.9000 (-0.3000)");

        PromotionGate.Decision small = PromotionGate.decide(evidence(f1(0.9, 0.9), f1(0.85, 0.85), up, List.of(slice(
                "branch", "north", 10, 0.6, 0.9)), List.of()), DEFAULTS, 0);
        assertThat(small.blessed()).isTrue();
        RuleOutcome reported = small.rules().stream().filter(r -> r.getRule() == GateRule.SLICE_REGRESSION)
                .findFirst().orElseThrow();
        assertThat(reported.getGating()).isFalse();
        assertThat(reported.getDetail()).endsWith("too small to gate, reported");

        PromotionGate.Decision recent = PromotionGate.decide(evidence(f1(0.9, 0.9), f1(0.85, 0.85), up, List.of(
                slice(Evidence.SUBSET, "recent", 200, 0.7, 0.8)), List.of()), DEFAULTS, 0);
        assertThat(recent.rule()).isEqualTo(GateRule.RECENT_REGRESSION);
        assertThat(recent.reason()).startsWith("keep champion: the recent test set (200 examples)");
    }

    @Test
    void aCandidateThatTyposFlipMoreOftenThanTheChampionsIsRefused() {
        Significance up = interval(0.05, 0.01, 0.1);
        List<FlipRates.Result> flips = List.of(new FlipRates.Result(Perturbation.TYPO, 100, 0.3, 0.1, "mvoie"),
                new FlipRates.Result(Perturbation.NUMBER, 0, 0, 0, ""));
        PromotionGate.Decision d = PromotionGate.decide(evidence(f1(0.9, 0.9), f1(0.85, 0.85), up, List.of(), flips),
                DEFAULTS, 0);
        assertThat(d.blessed()).isFalse();
        assertThat(d.rule()).isEqualTo(GateRule.ROBUSTNESS);
        assertThat(d.reason()).isEqualTo("keep champion: typo: candidate flips 30.0% vs champion 10.0% of 100 "
                + "perturbed examples, tolerance 5.0 points");
        // A perturbation that changed no example is not a rule.
        assertThat(d.rules()).extracting(RuleOutcome::getRule).containsExactly(GateRule.TEST_EXAMPLES,
                GateRule.POLICY, GateRule.CLASS_REGRESSION, GateRule.ROBUSTNESS);
        List<FlipRates.Result> close = List.of(new FlipRates.Result(Perturbation.TYPO, 100, 0.15, 0.1, "mvoie"));
        assertThat(PromotionGate.decide(evidence(f1(0.9, 0.9), f1(0.85, 0.85), up, List.of(), close), DEFAULTS, 0)
                .blessed()).isTrue();
    }
}
