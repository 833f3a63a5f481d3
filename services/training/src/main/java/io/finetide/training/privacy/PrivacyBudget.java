package io.finetide.training.privacy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.model.privacy.DpSgd;
import io.finetide.model.privacy.NoiseCalibration;
import io.finetide.model.privacy.RdpAccountant;
import io.finetide.model.privacy.SubsampledGaussian;
import io.finetide.model.train.TrainingConfig;
import io.finetide.proto.v1.DifferentialPrivacy;
import io.finetide.proto.v1.PrivacySpend;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.training.metrics.TrainingMetrics;
import io.finetide.training.store.PrivacyChargeRecord;
import io.finetide.training.store.PrivacyLedgerStore;

/**
 * A private task's budget over its whole life. Before a run's first update it is charged for all its planned updates
 * (early stopping refunds nothing): the run's noise is the task's multiplier or the smallest that keeps the run within
 * {@code epsilonPerRun}, and the charge is composed with every earlier charge of the task (their Rényi-DP adds up per
 * order); if the total would pass the budget the run is refused. One consumer trains a task's snapshots one after
 * another (they share a partition key), so a check and its charge are not raced by another run of the same task.
 */
@ApplicationScoped
public class PrivacyBudget {

    /** A private run's settings and what it was charged. */
    public record Charge(DpSgd dpSgd, PrivacySpend spend) {
    }

    /** Where a task's budget stands. */
    public record Standing(double epsilonBudget, double delta, double epsilonSpent, List<PrivacyChargeRecord> charges) {
    }

    private final SecureRandom random = new SecureRandom();

    @Inject
    PrivacyLedgerStore ledger;

    @Inject
    TrainingMetrics metrics;

    /**
     * Charges the run on {@code snapshotId} (once: a replay finds its charge), or empty for a task that is not private.
     *
     * @throws PrivacyBudgetExhaustedException when the run would take the task past its budget
     */
    public Optional<Charge> charge(TaskDefinitionEvent task, String snapshotId, String modelId, int trainExamples,
            TrainingConfig hp) {
        if (!task.getPrivacy().hasDifferentialPrivacy()) {
            return Optional.empty();
        }
        DifferentialPrivacy dp = task.getPrivacy().getDifferentialPrivacy();
        List<PrivacyChargeRecord> charges = ledger.forTask(task.getName());
        List<SubsampledGaussian> others = charges.stream().filter(c -> !c.snapshotId().equals(snapshotId)).map(
                PrivacyBudget::spend).toList();
        Optional<PrivacyChargeRecord> earlier = charges.stream().filter(c -> c.snapshotId().equals(snapshotId))
                .findFirst();
        if (earlier.isPresent()) {
            return Optional.of(charge(earlier.get(), dp, others));
        }
        double q = DpSgd.samplingRate(trainExamples, hp.batchSize());
        long steps = DpSgd.updates(trainExamples, hp.batchSize(), hp.epochs());
        double sigma = dp.getNoiseMultiplier() > 0
                ? dp.getNoiseMultiplier()
                : NoiseCalibration.noiseMultiplier(dp.getEpsilonPerRun(), dp.getDelta(), q, steps, List.of());
        SubsampledGaussian run = new SubsampledGaussian(q, sigma, steps);
        List<SubsampledGaussian> all = new ArrayList<>(others);
        all.add(run);
        double total = RdpAccountant.epsilon(all, dp.getDelta());
        if (total > dp.getEpsilonBudget()) {
            metrics.privacyRefused(task.getName());
            throw new PrivacyBudgetExhaustedException(String.format(java.util.Locale.ROOT,
                    "privacy budget exhausted: task '%s' has spent ε %.3f of its %.3f (δ %.1e) over %d runs, and "
                            + "this run (%d updates at sampling rate %.4f, noise multiplier %.3f) would take it to "
                            + "%.3f",
                    task.getName(), RdpAccountant.epsilon(others, dp.getDelta()), dp.getEpsilonBudget(), dp
                            .getDelta(),
                    others.size(), steps, q, sigma, total));
        }
        PrivacyChargeRecord record = new PrivacyChargeRecord(snapshotId, task.getName(), modelId, q, sigma, steps, dp
                .getClipNorm(), dp.getDelta(), RdpAccountant.epsilon(List.of(run), dp.getDelta()), random.nextLong(),
                System.currentTimeMillis());
        if (!ledger.charge(record)) {
            record = ledger.find(snapshotId).orElseThrow();
        }
        metrics.privacySpent(task.getName(), total);
        return Optional.of(charge(record, dp, others));
    }

    /** The task's budget and every charge so far; empty for a task that is not private. */
    public Optional<Standing> standing(TaskDefinitionEvent task) {
        if (!task.getPrivacy().hasDifferentialPrivacy()) {
            return Optional.empty();
        }
        DifferentialPrivacy dp = task.getPrivacy().getDifferentialPrivacy();
        List<PrivacyChargeRecord> charges = ledger.forTask(task.getName());
        return Optional.of(new Standing(dp.getEpsilonBudget(), dp.getDelta(), RdpAccountant.epsilon(charges.stream()
                .map(PrivacyBudget::spend).toList(), dp.getDelta()), charges));
    }

    private static Charge charge(PrivacyChargeRecord record, DifferentialPrivacy dp, List<SubsampledGaussian> others) {
        List<SubsampledGaussian> all = new ArrayList<>(others);
        all.add(spend(record));
        PrivacySpend spend = PrivacySpend.newBuilder().setEpsilon(record.epsilon()).setTaskEpsilon(RdpAccountant
                .epsilon(all, record.delta())).setEpsilonBudget(dp.getEpsilonBudget()).setDelta(record.delta())
                .setNoiseMultiplier(record.noiseMultiplier()).setSamplingRate(record.samplingRate()).setSteps(record
                        .steps())
                .setClipNorm(record.clipNorm()).build();
        return new Charge(new DpSgd(record.clipNorm(), record.noiseMultiplier(), record.noiseSeed()), spend);
    }

    private static SubsampledGaussian spend(PrivacyChargeRecord c) {
        return new SubsampledGaussian(c.samplingRate(), c.noiseMultiplier(), c.steps());
    }
}
