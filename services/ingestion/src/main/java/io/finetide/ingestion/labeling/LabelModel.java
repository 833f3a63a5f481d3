package io.finetide.ingestion.labeling;

import java.util.Arrays;

/**
 * Combines labeling-function votes into one label per item. Votes are a matrix {@code votes[item][function]} of
 * label indices, {@link #ABSTAIN} where a function abstains.
 *
 * <p>
 * {@link #fit} learns, without needing any true label, each function's accuracy and the class balance by expectation
 * maximisation under the model Snorkel's first label model used: the true label is drawn from the class balance;
 * given it, each function independently abstains or votes, right with its accuracy and otherwise for one of the other
 * labels uniformly. Functions that agree with the rest often come out accurate; a function that mostly disagrees comes
 * out inaccurate and its votes count less (a function below chance even counts against its label). Needs at least
 * three functions that overlap to be identifiable; it starts every accuracy at 0.7, i.e. assumes the rules are better
 * than chance.
 */
public final class LabelModel {

    public static final int ABSTAIN = -1;
    private static final double MIN_ACCURACY = 0.01;
    private static final double MAX_ACCURACY = 0.99;
    private static final double START_ACCURACY = 0.7;

    /** A combined label: the label index ({@link #ABSTAIN} when no function voted) and its probability. */
    public record Decision(int label, double confidence) {
    }

    private final int labels;
    private final double[] accuracies;
    private final double[] prior;
    private final int iterations;

    private LabelModel(int labels, double[] accuracies, double[] prior, int iterations) {
        this.labels = labels;
        this.accuracies = accuracies;
        this.prior = prior;
        this.iterations = iterations;
    }

    /** Learns function accuracies and class balance from the votes alone. */
    public static LabelModel fit(int[][] votes, int labels, int functions) {
        return fit(votes, null, labels, functions);
    }

    /**
     * Learns function accuracies and class balance from the votes, anchored by the items whose true label is known
     * ({@code gold[i]}, {@link #ABSTAIN} when unknown; {@code gold} may be null): their label is fixed instead of
     * inferred, and when there are any, the class balance is theirs. A function that never votes together with
     * another function or on a known item cannot be judged by its agreements: it keeps the starting accuracy instead
     * of drifting with the class balance.
     */
    public static LabelModel fit(int[][] votes, int[] gold, int labels, int functions) {
        if (labels < 2) {
            throw new IllegalArgumentException("at least 2 labels");
        }
        double[] acc = new double[functions];
        Arrays.fill(acc, START_ACCURACY);
        double[] prior = new double[labels];
        Arrays.fill(prior, 1.0 / labels);
        boolean[] judged = new boolean[functions];
        int[] goldCounts = new int[labels];
        int golden = 0;
        for (int i = 0; i < votes.length; i++) {
            boolean known = gold != null && gold[i] != ABSTAIN;
            if (known) {
                goldCounts[gold[i]]++;
                golden++;
            }
            int voting = 0;
            for (int v : votes[i]) {
                voting += v == ABSTAIN ? 0 : 1;
            }
            for (int j = 0; j < functions; j++) {
                judged[j] |= votes[i][j] != ABSTAIN && (known || voting > 1);
            }
        }
        if (golden > 0) {
            for (int k = 0; k < labels; k++) {
                prior[k] = (goldCounts[k] + 1.0) / (golden + labels);
            }
        }
        double[][] q = new double[votes.length][labels];
        int it = 0;
        for (; it < 500; it++) {
            for (int i = 0; i < votes.length; i++) {
                if (gold != null && gold[i] != ABSTAIN) {
                    Arrays.fill(q[i], 0);
                    q[i][gold[i]] = 1;
                } else {
                    posterior(votes[i], acc, prior, labels, q[i]);
                }
            }
            double[] correct = new double[functions];
            int[] voted = new int[functions];
            double[] balance = new double[labels];
            int covered = 0;
            for (int i = 0; i < votes.length; i++) {
                boolean any = false;
                for (int j = 0; j < functions; j++) {
                    int v = votes[i][j];
                    if (v != ABSTAIN) {
                        correct[j] += q[i][v];
                        voted[j]++;
                        any = true;
                    }
                }
                if (any) {
                    covered++;
                    for (int k = 0; k < labels; k++) {
                        balance[k] += q[i][k];
                    }
                }
            }
            double change = 0;
            for (int j = 0; j < functions; j++) {
                double next = voted[j] == 0 || !judged[j] ? acc[j] : clamp(correct[j] / voted[j]);
                change = Math.max(change, Math.abs(next - acc[j]));
                acc[j] = next;
            }
            if (golden == 0) {
                for (int k = 0; k < labels; k++) {
                    // Add-one smoothing: a label no item leans to keeps a small prior instead of none.
                    double next = (balance[k] + 1) / (covered + labels);
                    change = Math.max(change, Math.abs(next - prior[k]));
                    prior[k] = next;
                }
            }
            if (change < 1e-7) {
                break;
            }
        }
        return new LabelModel(labels, acc, prior, it + 1);
    }

    /** Majority vote as a model: every function equally accurate, classes balanced. */
    public static LabelModel majority(int labels, int functions) {
        double[] acc = new double[functions];
        Arrays.fill(acc, START_ACCURACY);
        double[] prior = new double[labels];
        Arrays.fill(prior, 1.0 / labels);
        return new LabelModel(labels, acc, prior, 0);
    }

    public Decision predict(int[] itemVotes) {
        boolean any = false;
        for (int v : itemVotes) {
            any |= v != ABSTAIN;
        }
        if (!any) {
            return new Decision(ABSTAIN, 0);
        }
        double[] q = new double[labels];
        posterior(itemVotes, accuracies, prior, labels, q);
        int best = 0;
        for (int k = 1; k < labels; k++) {
            if (q[k] > q[best]) {
                best = k;
            }
        }
        return new Decision(best, q[best]);
    }

    /** The learned accuracy of each function, in the order of the vote columns. */
    public double[] accuracies() {
        return accuracies.clone();
    }

    public double[] classBalance() {
        return prior.clone();
    }

    public int iterations() {
        return iterations;
    }

    private static void posterior(int[] votes, double[] acc, double[] prior, int labels, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < labels; k++) {
            double lp = Math.log(prior[k]);
            for (int j = 0; j < votes.length; j++) {
                int v = votes[j];
                if (v != ABSTAIN) {
                    lp += v == k ? Math.log(acc[j]) : Math.log((1 - acc[j]) / (labels - 1));
                }
            }
            out[k] = lp;
            max = Math.max(max, lp);
        }
        double sum = 0;
        for (int k = 0; k < labels; k++) {
            out[k] = Math.exp(out[k] - max);
            sum += out[k];
        }
        for (int k = 0; k < labels; k++) {
            out[k] /= sum;
        }
    }

    private static double clamp(double a) {
        return Math.max(MIN_ACCURACY, Math.min(MAX_ACCURACY, a));
    }
}
