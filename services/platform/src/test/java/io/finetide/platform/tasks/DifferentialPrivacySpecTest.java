package io.finetide.platform.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.finetide.proto.v1.DifferentialPrivacy;
import io.finetide.proto.v1.HyperParameters;
import io.finetide.proto.v1.PrivacySpec;
import io.finetide.proto.v1.StudySpec;
import io.finetide.proto.v1.TaskDefinitionEvent;

/** A private task's settings: their defaults, and what a task cannot combine with DP-SGD. */
class DifferentialPrivacySpecTest {

    private static TaskDefinitionEvent task(DifferentialPrivacy.Builder dp) {
        return TaskDefinitions.withDefaults(TaskDefinitionEvent.newBuilder().setName("p").addLabels("a").addLabels("b")
                .setPrivacy(PrivacySpec.newBuilder().setDifferentialPrivacy(dp)).build());
    }

    @Test
    void unsetFieldsTakeTheDocumentedDefaults() {
        DifferentialPrivacy dp = task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8)).getPrivacy()
                .getDifferentialPrivacy();
        assertThat(dp.getDelta()).isEqualTo(TaskDefaults.DEFAULT_PRIVACY_DELTA).isEqualTo(1e-5);
        assertThat(dp.getClipNorm()).isEqualTo(1.0);
        // Neither a noise multiplier nor a per-run ε: each run may spend a quarter of the budget.
        assertThat(dp.getEpsilonPerRun()).isEqualTo(2.0);
        assertThat(dp.getNoiseMultiplier()).isZero();
        assertThat(TaskDefinitions.problems(task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8)))).isEmpty();
        // A task without it stays without: not private.
        assertThat(TaskDefinitions.withDefaults(TaskDefinitionEvent.newBuilder().setName("q").addLabels("a").build())
                .getPrivacy().hasDifferentialPrivacy()).isFalse();
        // A fixed noise multiplier needs no per-run ε.
        assertThat(task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8).setNoiseMultiplier(1.1)).getPrivacy()
                .getDifferentialPrivacy().getEpsilonPerRun()).isZero();
    }

    @Test
    void impossibleSettingsAreRefusedWithTheirField() {
        assertThat(TaskDefinitions.problems(task(DifferentialPrivacy.newBuilder()))).anyMatch(p -> p.startsWith(
                "privacy.differentialPrivacy.epsilonBudget must be in (0, 1000]"));
        assertThat(TaskDefinitions.problems(task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8).setDelta(0.5))))
                .anyMatch(p -> p.startsWith("privacy.differentialPrivacy.delta must be in (0, 0.01]"));
        assertThat(TaskDefinitions.problems(task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8)
                .setEpsilonPerRun(9)))).anyMatch(p -> p.startsWith("privacy.differentialPrivacy.epsilonPerRun"));
        TaskDefinitionEvent accumulating = task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8)).toBuilder()
                .setHyperParameters(HyperParameters.newBuilder().setGradientAccumulationSteps(2)).build();
        assertThat(TaskDefinitions.problems(TaskDefinitions.withDefaults(accumulating))).anyMatch(p -> p.contains(
                "gradientAccumulationSteps must be 1"));
        TaskDefinitionEvent searching = task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8)).toBuilder()
                .setSearch(StudySpec.getDefaultInstance()).build();
        assertThat(TaskDefinitions.problems(TaskDefinitions.withDefaults(searching))).anyMatch(p -> p.contains(
                "a private task takes no search"));
    }
}
