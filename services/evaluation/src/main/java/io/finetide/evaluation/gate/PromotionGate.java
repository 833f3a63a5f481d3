package io.finetide.evaluation.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.finetide.evaluation.robustness.FlipRates;
import io.finetide.proto.v1.ClassMetrics;
import io.finetide.proto.v1.EvaluationSpec;
import io.finetide.proto.v1.GateRule;
import io.finetide.proto.v1.GenerationMetric;
import io.finetide.proto.v1.MetricFloors;
import io.finetide.proto.v1.Metrics;
import io.finetide.proto.v1.PromotionPolicy;
import io.finetide.proto.v1.RuleOutcome;
import io.finetide.proto.v1.ServingBudget;
import io.finetide.proto.v1.Significance;
import io.finetide.proto.v1.SliceMetrics;

/**
 * The promotion rules (docs/EVALUATION.md): a candidate is blessed when every gating rule passes. There must be test
 * examples; the candidate must reach the task's floors; without a champion it is then blessed; otherwise the task's
 * policy must hold on the golden test set (a plain margin, or a paired bootstrap interval for superiority or
 * non-inferiority), no class and no large enough slice (the recent test set among them) may fall below the champion's
 * by more than its tolerance, and no perturbation may flip the candidate's answers more often than the champion's by
 * more than the robustness tolerance. Every rule is reported, passed or not, gating or not.
 */
public final class PromotionGate {

    /** Slack for comparisons of figures computed in floating point. */
    private static final double EPS = 1e-12;

    /** The figure the gate compares: macro-F1, entity F1 for tagging, or the task's generation metric. */
    public enum Figure {
        MACRO_F1("macro-F1"), ENTITY_F1("entity F1"), ROUGE_L("ROUGE-L"), CHRF("chrF"), EXACT_MATCH(
                "exact match"), TOKEN_F1("token F1");

        private final String label;

        Figure(String label) {
            this.label = label;
        }

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String label() {
            return label;
        }

        public double of(Metrics m) {
            return switch (this) {
                case MACRO_F1 -> m.getMacroF1();
                case ENTITY_F1 -> m.getMicroF1();
                case ROUGE_L -> m.getGeneration().getRougeL();
                case CHRF -> m.getGeneration().getChrf();
                case EXACT_MATCH -> m.getGeneration().getExactMatch();
                case TOKEN_F1 -> m.getGeneration().getTokenF1();
            };
        }

        /** Whether it scores written completions (no classes to regress). */
        public boolean generation() {
            return this != MACRO_F1 && this != ENTITY_F1;
        }

        public static Figure of(GenerationMetric metric) {
            return switch (metric) {
                case CHRF -> CHRF;
                case EXACT_MATCH -> EXACT_MATCH;
                case TOKEN_F1 -> TOKEN_F1;
                default -> ROUGE_L;
            };
        }
    }

    /**
     * @param rule           the rule that decided: the first failing gating rule, or the one that blessed
     * @param candidateScore the candidate's figure
     * @param championScore  the champion's figure, NaN without a champion
     * @param rules          every rule's outcome, in the order applied
     */
    public record Decision(boolean blessed, GateRule rule, Figure figure, double candidateScore, double championScore,
            String reason, List<RuleOutcome> rules) {

        /** The verdict metric's {@code rule} tag: first-champion, policy, class-regression, ... */
        public String ruleTag() {
            return tag(rule);
        }
    }

    private PromotionGate() {
    }

    public static String tag(GateRule rule) {
        return rule.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @param margin the task's promotion margin (the {@code PLAIN_MARGIN} policy's) */
    public static Decision decide(Evidence e, EvaluationSpec spec, double margin) {
        return decide(e, spec, margin, ServingBudget.getDefaultInstance());
    }

    /** @param budget what the candidate may cost to serve against the champion (a distilled student's) */
    public static Decision decide(Evidence e, EvaluationSpec spec, double margin, ServingBudget budget) {
        List<RuleOutcome> rules = new ArrayList<>();
        Figure figure = e.figure();
        if (e.candidate().getExamples() == 0) {
            rules.add(outcome(GateRule.TEST_EXAMPLES, false, true, "no test examples to score the candidate on"));
            return decision(e, rules, GateRule.TEST_EXAMPLES);
        }
        rules.add(outcome(GateRule.TEST_EXAMPLES, true, true, e.testSet()));
        floors(rules, e, spec.getFloors());
        if (!e.hasChampion()) {
            rules.add(outcome(GateRule.FIRST_CHAMPION, true, true, String.format("no champion yet; candidate %s %.4f",
                    figure.label, e.candidateScore())));
            robustness(rules, e.robustness(), spec.getRobustnessTolerance(), false);
            servingBudget(rules, e, budget);
            return decision(e, rules, GateRule.FIRST_CHAMPION);
        }
        rules.add(policy(e, spec, margin));
        if (!figure.generation()) {
            classes(rules, e, spec.getClassTolerance());
        }
        slices(rules, e, spec.getSliceTolerance());
        robustness(rules, e.robustness(), spec.getRobustnessTolerance(), true);
        servingBudget(rules, e, budget);
        return decision(e, rules, GateRule.POLICY);
    }

    /**
     * A candidate with a budget (a distilled student) costs at most its ratios of the champion's latency and bundle,
     * both measured in this evaluation; without a champion the ratios are not known and the rule only reports.
     */
    private static void servingBudget(List<RuleOutcome> rules, Evidence e, ServingBudget budget) {
        double maxLatency = budget.getMaxLatencyRatio();
        double maxBundle = budget.getMaxBundleRatio();
        if (maxLatency <= 0 && maxBundle <= 0) {
            return;
        }
        String bounds = String.format(Locale.ROOT, "budget: latency %s, bundle %s of the champion's", maxLatency > 0
                ? String.format(Locale.ROOT, "%.2fx", maxLatency)
                : "any", maxBundle > 0 ? String.format(Locale.ROOT, "%.2fx", maxBundle) : "any");
        if (e.championCost() == null || e.candidateCost() == null) {
            rules.add(outcome(GateRule.SERVING_BUDGET, true, false, "no champion to measure against; " + bounds));
            return;
        }
        double latency = e.candidateCost().getLatencyMsP50() / e.championCost().getLatencyMsP50();
        double bundle = (double) e.candidateCost().getBundleBytes() / e.championCost().getBundleBytes();
        boolean ok = (maxLatency <= 0 || latency <= maxLatency) && (maxBundle <= 0 || bundle <= maxBundle);
        rules.add(outcome(GateRule.SERVING_BUDGET, ok, true, String.format(Locale.ROOT,
                "candidate latency p50 %.2fx and bundle %.2fx the champion's; %s", latency, bundle, bounds)));
    }

    private static Decision decision(Evidence e, List<RuleOutcome> rules, GateRule blessing) {
        RuleOutcome failed = rules.stream().filter(r -> r.getGating() && !r.getPassed()).findFirst().orElse(null);
        boolean blessed = failed == null;
        RuleOutcome deciding = blessed
                ? rules.stream().filter(r -> r.getRule() == blessing).findFirst().orElseThrow()
                : failed;
        String reason = (blessed ? "promote: " : "keep champion: ") + deciding.getDetail();
        if (failed != null && failed.getRule() == GateRule.TEST_EXAMPLES) {
            reason = deciding.getDetail();
        }
        return new Decision(blessed, deciding.getRule(), e.figure(), e.candidate().getExamples() == 0
                ? Double.NaN
                : e.candidateScore(), e.championScore(), reason, List.copyOf(rules));
    }

    private static void floors(List<RuleOutcome> rules, Evidence e, MetricFloors floors) {
        floor(rules, "macro-F1", e.candidate().getMacroF1(), floors.getMacroF1());
        floor(rules, "accuracy", e.candidate().getAccuracy(), floors.getAccuracy());
        floor(rules, "entity F1", e.candidate().getMicroF1(), floors.getEntityF1());
    }

    private static void floor(List<RuleOutcome> rules, String name, double value, double min) {
        if (min > 0) {
            boolean ok = value + EPS >= min;
            rules.add(outcome(GateRule.FLOOR, ok, true, String.format("candidate %s %.4f %s the floor %.4f", name,
                    value, ok ? "reaches" : "is below", min)));
        }
    }

    private static RuleOutcome policy(Evidence e, EvaluationSpec spec, double margin) {
        Significance s = e.significance();
        double gain = e.candidateScore() - e.championScore();
        String figures = String.format(Locale.ROOT, "candidate %s %.4f vs champion %.4f (%+.4f); %.0f%% paired "
                + "bootstrap interval [%+.4f, %+.4f] (%d resamples); McNemar p = %.4f (%d right only by the "
                + "candidate, %d only by the champion)", e.figure().label, e.candidateScore(), e.championScore(), gain,
                100 * s.getConfidence(), s.getLower(), s.getUpper(), s.getResamples(), s.getMcnemarPValue(), s
                        .getCandidateOnlyCorrect(),
                s.getChampionOnlyCorrect());
        PromotionPolicy policy = spec.getPolicy();
        boolean ok;
        String rule;
        if (policy == PromotionPolicy.SUPERIORITY) {
            ok = s.getLower() > 0;
            rule = ok ? "superior: the interval lies above 0" : "not shown superior: the interval reaches below 0";
        } else if (policy == PromotionPolicy.NON_INFERIORITY) {
            double m = spec.getNonInferiorityMargin();
            ok = s.getLower() > -m;
            rule = String.format(ok
                    ? "non-inferior: the interval's lower bound lies above -%.4f"
                    : "not shown non-inferior: the interval's lower bound reaches -%.4f or below", m);
        } else {
            ok = gain + EPS >= margin;
            rule = String.format(ok ? "gain reaches the margin %.4f" : "gain below the margin %.4f", margin);
        }
        return outcome(GateRule.POLICY, ok, true, policy.name() + ", " + rule + "; " + figures);
    }

    private static void classes(List<RuleOutcome> rules, Evidence e, double tolerance) {
        List<String> fallen = new ArrayList<>();
        String worst = "";
        double worstDrop = Double.NEGATIVE_INFINITY;
        for (ClassMetrics theirs : e.champion().getPerClassList()) {
            if (theirs.getSupport() == 0) {
                continue;
            }
            double ours = e.candidate().getPerClassList().stream().filter(c -> c.getLabel().equals(theirs.getLabel()))
                    .mapToDouble(ClassMetrics::getF1).findFirst().orElse(0);
            double drop = theirs.getF1() - ours;
            String line = String.format("'%s' F1 %.4f vs %.4f (%+.4f)", theirs.getLabel(), ours, theirs.getF1(),
                    ours - theirs.getF1() + 0.0);
            if (drop > tolerance + EPS) {
                fallen.add(line);
            }
            if (drop > worstDrop) {
                worstDrop = drop;
                worst = line;
            }
        }
        boolean ok = fallen.isEmpty();
        rules.add(outcome(GateRule.CLASS_REGRESSION, ok, true, ok
                ? String.format("no class falls by more than %.4f (largest fall: %s)", tolerance, worst)
                : String.format("per-class F1 falls by more than %.4f: %s", tolerance, String.join(", ", fallen))));
    }

    private static void slices(List<RuleOutcome> rules, Evidence e, double tolerance) {
        for (SliceMetrics s : e.slices()) {
            boolean recent = s.getKey().equals(Evidence.SUBSET);
            GateRule rule = recent ? GateRule.RECENT_REGRESSION : GateRule.SLICE_REGRESSION;
            String name = recent ? "the recent test set" : "slice " + s.getKey() + "=" + s.getValue();
            boolean ok = s.getCandidate() + tolerance + EPS >= s.getChampion();
            String detail = String.format("%s (%d examples): candidate %s %.4f vs champion %.4f (%+.4f), tolerance "
                    + "%.4f%s", name, s.getExamples(), e.figure().label, s.getCandidate(), s.getChampion(),
                    s
                            .getCandidate()
                            - s.getChampion(),
                    tolerance, s.getGated() ? "" : "; too small to gate, reported");
            rules.add(outcome(rule, ok || !s.getGated(), s.getGated(), detail));
        }
    }

    private static void robustness(List<RuleOutcome> rules, List<FlipRates.Result> results, double tolerance,
            boolean gating) {
        for (FlipRates.Result r : results) {
            if (r.examples() == 0) {
                continue;
            }
            if (!gating) {
                rules.add(outcome(GateRule.ROBUSTNESS, true, false, String.format("%s: candidate flips %.1f%% of %d "
                        + "perturbed examples", r.perturbation().tag(), 100 * r.candidateFlips(), r.examples())));
                continue;
            }
            boolean ok = r.candidateFlips() <= r.championFlips() + tolerance + EPS;
            rules.add(outcome(GateRule.ROBUSTNESS, ok, true, String.format("%s: candidate flips %.1f%% vs champion "
                    + "%.1f%% of %d perturbed examples, tolerance %.1f points", r.perturbation().tag(),
                    100 * r
                            .candidateFlips(),
                    100 * r.championFlips(), r.examples(), 100 * tolerance)));
        }
    }

    private static RuleOutcome outcome(GateRule rule, boolean passed, boolean gating, String detail) {
        return RuleOutcome.newBuilder().setRule(rule).setPassed(passed).setGating(gating).setDetail(detail).build();
    }
}
