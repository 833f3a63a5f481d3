package io.finetide.model.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides after each epoch whether a trial is worth finishing, from its validation curve and the other trials'. Curves
 * hold the objective to minimise, one value per epoch done.
 */
public sealed interface Pruner {

    /**
     * @param own       this trial's curve so far (its last value is the epoch just ended)
     * @param completed the curves of the study's completed trials
     * @param reached   the curves of every other trial, whatever its state (running, pruned, complete)
     */
    boolean prune(List<Double> own, List<List<Double>> completed, List<List<Double>> reached);

    /** Never prunes. */
    record None() implements Pruner {
        @Override
        public boolean prune(List<Double> own, List<List<Double>> completed, List<List<Double>> reached) {
            return false;
        }
    }

    /**
     * Optuna's {@code MedianPruner}: once {@code startupTrials} trials are complete, a trial whose best value so far is
     * worse than the median of the completed trials' values at the same epoch stops.
     */
    record Median(int startupTrials) implements Pruner {
        @Override
        public boolean prune(List<Double> own, List<List<Double>> completed, List<List<Double>> reached) {
            int epoch = own.size();
            if (completed.size() < startupTrials || epoch == 0) {
                return false;
            }
            double[] atEpoch = completed.stream().filter(c -> c.size() >= epoch).mapToDouble(c -> c.get(epoch - 1))
                    .toArray();
            if (atEpoch.length == 0) {
                return false;
            }
            double bestSoFar = own.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            return bestSoFar > median(atEpoch);
        }
    }

    /**
     * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys
     * 2020), as Optuna's {@code SuccessiveHalvingPruner}: rungs at epochs {@code minEpochs × factor^k}; a trial
     * reaching a rung goes on only if its value there is among the best {@code 1/factor} of all trials that reached it
     * (the best one while fewer than {@code factor} have), and is pruned otherwise.
     */
    record SuccessiveHalving(int minEpochs, int factor) implements Pruner {
        public SuccessiveHalving {
            if (minEpochs < 1 || factor < 2) {
                throw new IllegalArgumentException("successive halving needs minEpochs >= 1 and factor >= 2");
            }
        }

        @Override
        public boolean prune(List<Double> own, List<List<Double>> completed, List<List<Double>> reached) {
            int epoch = own.size();
            if (!isRung(epoch)) {
                return false;
            }
            List<Double> competing = new ArrayList<>();
            competing.add(own.get(epoch - 1));
            for (List<Double> other : reached) {
                if (other.size() >= epoch) {
                    competing.add(other.get(epoch - 1));
                }
            }
            competing.sort(Double::compare);
            int promotable = Math.max(competing.size() / factor - 1, 0);
            return own.get(epoch - 1) > competing.get(promotable);
        }

        boolean isRung(int epoch) {
            for (long rung = minEpochs; rung <= epoch; rung *= factor) {
                if (rung == epoch) {
                    return true;
                }
            }
            return false;
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
    }
}
