package io.finetide.training.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.finetide.model.search.Pruner;
import io.finetide.model.train.TrainingListener;
import io.finetide.training.store.StudyRecord;
import io.finetide.training.store.StudyStore;
import io.finetide.training.store.TrialRecord;

/**
 * Watches a trial's epochs: stores each epoch's validation figures, and stops the run (by throwing {@link Stopped} out
 * of the training loop) when the pruner says the trial is not worth finishing, when the study is stopped, or when
 * another instance has taken the trial over. The pruner sees every curve negated, as something to minimise.
 */
final class TrialListener implements TrainingListener {

    private static final Logger LOG = Logger.getLogger(TrialListener.class);

    /** Why a trial ended before its last epoch. */
    static final class Stopped extends RuntimeException {
        final TrialRecord.TrialState state;
        /** Taken over: the checkpoint is the new owner's now. */
        final boolean superseded;

        Stopped(TrialRecord.TrialState state, String message, boolean superseded) {
            super(message, null, false, false);
            this.state = state;
            this.superseded = superseded;
        }
    }

    private final StudyStore store;
    private final TrialRecord trial;
    private final String owner;
    private final Pruner pruner;
    private final Consumer<TrialRecord.Epoch> onEpoch;
    private final List<TrialRecord.Epoch> epochs = new ArrayList<>();

    TrialListener(StudyStore store, TrialRecord trial, String owner, Pruner pruner,
            Consumer<TrialRecord.Epoch> onEpoch) {
        this.store = store;
        this.trial = trial;
        this.owner = owner;
        this.pruner = pruner;
        this.onEpoch = onEpoch;
    }

    /** The epochs done, with their figures: for a resumed run, the earlier attempt's first. */
    List<TrialRecord.Epoch> epochs() {
        return List.copyOf(epochs);
    }

    private long steps;

    @Override
    public void stepped(Steps s) {
        steps = s.step();
    }

    /** Updates made so far (a resumed run counts from its checkpoint's). */
    long steps() {
        return steps;
    }

    /** The best figure reached so far (NaN before the first epoch). */
    double best() {
        return epochs.stream().mapToDouble(TrialRecord.Epoch::value).max().orElse(Double.NaN);
    }

    @Override
    public void resumed(long step, int epoch) {
        LOG.infof("trial %s resumes from its checkpoint: %d steps done, epoch %d", trial.id(), step, epoch);
        // The checkpoint holds the epochs before the one it resumes in; the stored curve has them.
        trial.epochs().stream().filter(e -> e.epoch() < epoch).forEach(epochs::add);
    }

    @Override
    public void epochEnded(Epoch e) {
        epochs.removeIf(x -> x.epoch() >= e.epoch());
        epochs.add(new TrialRecord.Epoch(e.epoch(), e.validationMetric(), e.validationScore(), e.validationLoss()));
        if (!store.epochs(trial.id(), owner, epochs)) {
            throw new Stopped(TrialRecord.TrialState.CANCELLED, "taken over by another instance", true);
        }
        onEpoch.accept(epochs.get(epochs.size() - 1));
        StudyRecord study = store.study(trial.studyId()).orElseThrow();
        if (study.stopRequested()) {
            throw new Stopped(TrialRecord.TrialState.CANCELLED, "the study was stopped", false);
        }
        if (e.epoch() < e.epochs() && prune()) {
            throw new Stopped(TrialRecord.TrialState.PRUNED, "pruned after epoch " + e.epoch() + " at " + e
                    .validationMetric(), false);
        }
    }

    private boolean prune() {
        List<List<Double>> completed = new ArrayList<>(), reached = new ArrayList<>();
        for (TrialRecord other : store.trials(trial.studyId())) {
            if (other.number() == trial.number()) {
                continue;
            }
            List<Double> curve = negated(other.epochs());
            reached.add(curve);
            if (other.state() == TrialRecord.TrialState.COMPLETE) {
                completed.add(curve);
            }
        }
        return pruner.prune(negated(epochs), completed, reached);
    }

    private static List<Double> negated(List<TrialRecord.Epoch> epochs) {
        return epochs.stream().map(e -> -e.value()).toList();
    }
}
