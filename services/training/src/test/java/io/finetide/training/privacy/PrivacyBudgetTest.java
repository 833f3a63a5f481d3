package io.finetide.training.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.finetide.model.privacy.RdpAccountant;
import io.finetide.model.privacy.SubsampledGaussian;
import io.finetide.model.train.TrainingConfig;
import io.finetide.platform.tasks.TaskDefinitions;
import io.finetide.proto.v1.DifferentialPrivacy;
import io.finetide.proto.v1.PrivacySpec;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.store.PrivacyChargeRecord;
import io.finetide.training.store.PrivacyLedgerStore;

/** The budget's arithmetic on an in-memory ledger: charges, composition, calibration, replays and refusals. */
class PrivacyBudgetTest {

    /** The ledger's contract without a store: insert once per snapshot, list a task's charges in order. */
    static final class MemoryLedger extends PrivacyLedgerStore {
        final Map<String, PrivacyChargeRecord> charges = new LinkedHashMap<>();

        @Override
        public Optional<PrivacyChargeRecord> find(String snapshotId) {
            return Optional.ofNullable(charges.get(snapshotId));
        }

        @Override
        public boolean charge(PrivacyChargeRecord charge) {
            return charges.putIfAbsent(charge.snapshotId(), charge) == null;
        }

        @Override
        public List<PrivacyChargeRecord> forTask(String task) {
            return charges.values().stream().filter(c -> c.task().equals(task)).toList();
        }
    }

    static final class RecordingMetrics extends TrainingMetrics {
        final List<String> refused = new ArrayList<>();
        final Map<String, Double> spent = new LinkedHashMap<>();

        @Override
        public void privacyRefused(String task) {
            refused.add(task);
        }

        @Override
        public void privacySpent(String task, double epsilon) {
            spent.put(task, epsilon);
        }
    }

    private final MemoryLedger ledger = new MemoryLedger();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final PrivacyBudget budget = new PrivacyBudget();

    {
        budget.ledger = ledger;
        budget.metrics = metrics;
    }

    private static TaskDefinitionEvent task(DifferentialPrivacy.Builder dp) {
        return TaskDefinitions.withDefaults(TaskDefinitionEvent.newBuilder().setName("p").addLabels("a").addLabels("b")
                .setPrivacy(PrivacySpec.newBuilder().setDifferentialPrivacy(dp)).build());
    }

    private static final TrainingConfig HP = TrainingConfig.builder().batchSize(10).epochs(2).build();

    @Test
    void aTaskWithoutDifferentialPrivacyIsNotCharged() {
        TaskDefinitionEvent plain = TaskDefinitions.withDefaults(TaskDefinitionEvent.newBuilder().setName("q")
                .addLabels("a").build());
        assertThat(budget.charge(plain, "q-v1", "q-m1", 1000, HP)).isEmpty();
        assertThat(budget.standing(plain)).isEmpty();
        assertThat(ledger.charges).isEmpty();
    }

    @Test
    void runsAreChargedOnceComposedAndRefusedPastTheBudget() {
        TaskDefinitionEvent t = task(DifferentialPrivacy.newBuilder().setEpsilonBudget(1.65).setNoiseMultiplier(1.0));
        // 1,000 examples in expected batches of 10: q 0.01, 2 epochs of 100 updates.
        PrivacyBudget.Charge first = budget.charge(t, "p-v1", "p-m1", 1000, HP).orElseThrow();
        SubsampledGaussian run = new SubsampledGaussian(0.01, 1.0, 200);
        double one = RdpAccountant.epsilon(List.of(run), 1e-5);
        assertThat(first.spend().getEpsilon()).isEqualTo(one);
        assertThat(first.spend().getTaskEpsilon()).isEqualTo(one);
        assertThat(first.spend().getSteps()).isEqualTo(200);
        assertThat(first.dpSgd().noiseMultiplier()).isEqualTo(1.0);
        assertThat(first.dpSgd().clipNorm()).isEqualTo(1.0);

        // A replay finds its charge: the same secret seed, nothing more spent.
        PrivacyBudget.Charge replay = budget.charge(t, "p-v1", "p-m1", 1000, HP).orElseThrow();
        assertThat(replay.dpSgd().noiseSeed()).isEqualTo(first.dpSgd().noiseSeed());
        assertThat(ledger.charges).hasSize(1);

        PrivacyBudget.Charge second = budget.charge(t, "p-v2", "p-m2", 1000, HP).orElseThrow();
        double two = RdpAccountant.epsilon(List.of(run, run), 1e-5);
        assertThat(second.spend().getTaskEpsilon()).isEqualTo(two).isLessThan(2 * one);
        assertThat(second.dpSgd().noiseSeed()).isNotEqualTo(first.dpSgd().noiseSeed());
        assertThat(metrics.spent).containsEntry("p", two);

        double three = RdpAccountant.epsilon(List.of(run, run, run), 1e-5);
        // dp-accounting: 1.340, 1.555 and 1.748 for one, two and three such runs.
        assertThat(two).isLessThanOrEqualTo(1.65);
        assertThat(three).isGreaterThan(1.65);
        assertThatThrownBy(() -> budget.charge(t, "p-v3", "p-m3", 1000, HP)).isInstanceOf(
                PrivacyBudgetExhaustedException.class).hasMessage(
                        String.format(java.util.Locale.ROOT,
                                "privacy budget exhausted: task 'p' has spent ε %.3f of its 1.650 (δ 1.0e-05) over 2 runs, "
                                        + "and this run (200 updates at sampling rate 0.0100, noise multiplier 1.000) would "
                                        + "take it to %.3f",
                                two, three));
        assertThat(metrics.refused).containsExactly("p");
        assertThat(ledger.charges).hasSize(2);
        // The charges stand as they were: a refusal charges nothing, and nothing here takes a charge back.
        PrivacyBudget.Standing standing = budget.standing(t).orElseThrow();
        assertThat(standing.epsilonSpent()).isEqualTo(two);
        assertThat(standing.charges()).extracting(PrivacyChargeRecord::snapshotId).containsExactly("p-v1", "p-v2");
    }

    @Test
    void withoutANoiseMultiplierEachRunGetsTheNoiseThatKeepsItWithinItsShare() {
        // Budget 8, no σ: each run may spend a quarter, ε 2.
        TaskDefinitionEvent t = task(DifferentialPrivacy.newBuilder().setEpsilonBudget(8));
        PrivacyBudget.Charge c = budget.charge(t, "p-v1", "p-m1", 1000, HP).orElseThrow();
        assertThat(c.spend().getEpsilon()).isLessThanOrEqualTo(2.0).isCloseTo(2.0, within(0.01));
        assertThat(c.dpSgd().noiseMultiplier()).isGreaterThan(0.5);
    }
}
