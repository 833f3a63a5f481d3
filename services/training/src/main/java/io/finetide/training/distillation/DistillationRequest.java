package io.finetide.training.distillation;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.finetide.proto.v1.ServingBudget;

/**
 * What a caller asks of a distillation; each field may be left out. The defaults are DistilBERT's start: half the
 * teacher's layers, temperature 2, the labels' and the soft labels' losses weighed equally; the teacher is the task's
 * champion.
 *
 * @param studentLayers the student's layers, fewer than the teacher's
 * @param temperature   softens the teacher's and the student's distributions in the soft-label term, in [1, 20]
 * @param hardWeight    the labels' share of the loss, in [0, 1]
 * @param teacher       the id of the task's model to learn from
 * @param budget        what the student may cost to serve, as ratios of the champion's (the gate's SERVING_BUDGET
 *                      rule); none by default
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DistillationRequest(Integer studentLayers, Double temperature, Double hardWeight, String teacher,
        Budget budget) {

    /** Each bound in (0, 1]; a bound left out is no bound. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Budget(Double maxLatencyRatio, Double maxBundleRatio) {
    }

    public ServingBudget servingBudget() {
        ServingBudget.Builder b = ServingBudget.newBuilder();
        if (budget != null && budget.maxLatencyRatio() != null) {
            b.setMaxLatencyRatio(budget.maxLatencyRatio());
        }
        if (budget != null && budget.maxBundleRatio() != null) {
            b.setMaxBundleRatio(budget.maxBundleRatio());
        }
        return b.build();
    }

    public static final double DEFAULT_TEMPERATURE = 2.0;
    public static final double DEFAULT_HARD_WEIGHT = 0.5;
    static final double MAX_TEMPERATURE = 20;

    public int studentLayersOf(int teacherLayers) {
        return studentLayers != null ? studentLayers : Math.max(1, teacherLayers / 2);
    }

    public double temperatureOrDefault() {
        return temperature != null ? temperature : DEFAULT_TEMPERATURE;
    }

    public double hardWeightOrDefault() {
        return hardWeight != null ? hardWeight : DEFAULT_HARD_WEIGHT;
    }

    /** Every problem of the settings for a teacher of {@code teacherLayers} layers; empty when they hold. */
    static List<String> problems(int studentLayers, double temperature, double hardWeight, ServingBudget budget,
            int teacherLayers) {
        List<String> p = new ArrayList<>();
        for (double bound : new double[]{budget.getMaxLatencyRatio(), budget.getMaxBundleRatio()}) {
            if (!(bound >= 0 && bound <= 1)) {
                p.add("a budget's ratios are in (0, 1] (0: no bound), not " + bound);
            }
        }
        if (teacherLayers < 2) {
            p.add("the teacher has " + teacherLayers + " layer: a student needs fewer, and there are none fewer");
        } else if (studentLayers < 1 || studentLayers >= teacherLayers) {
            p.add("studentLayers must be in [1, " + (teacherLayers - 1) + "] (the teacher has " + teacherLayers
                    + "), not " + studentLayers);
        }
        if (!(temperature >= 1 && temperature <= MAX_TEMPERATURE)) {
            p.add("temperature must be in [1, " + (int) MAX_TEMPERATURE + "], not " + temperature);
        }
        if (!(hardWeight >= 0 && hardWeight <= 1)) {
            p.add("hardWeight must be in [0, 1], not " + hardWeight);
        }
        return p;
    }
}
