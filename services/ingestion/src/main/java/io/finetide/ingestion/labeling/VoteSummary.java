package io.finetide.ingestion.labeling;

import java.util.ArrayList;
import java.util.List;

/**
 * What each labeling function does on a set of items (Snorkel's definitions): coverage, the share of items it votes
 * on; overlap, the share it votes on together with at least one other function; conflict, the share where another
 * function votes a different label; and, on items whose true label is known, its empirical accuracy.
 */
public final class VoteSummary {

    public record FunctionStats(int votes, double coverage, double overlap, double conflict, int withGold,
            double empiricalAccuracy) {
    }

    private VoteSummary() {
    }

    /**
     * @param votes {@code votes[item][function]}, {@link LabelModel#ABSTAIN} for an abstention
     * @param gold  the known label of each item, {@link LabelModel#ABSTAIN} when unknown
     */
    public static List<FunctionStats> of(int[][] votes, int[] gold, int functions) {
        List<FunctionStats> out = new ArrayList<>();
        int n = votes.length;
        for (int j = 0; j < functions; j++) {
            int voted = 0;
            int overlap = 0;
            int conflict = 0;
            int withGold = 0;
            int right = 0;
            for (int i = 0; i < n; i++) {
                int v = votes[i][j];
                if (v == LabelModel.ABSTAIN) {
                    continue;
                }
                voted++;
                boolean other = false;
                boolean differs = false;
                for (int o = 0; o < functions; o++) {
                    int w = votes[i][o];
                    if (o != j && w != LabelModel.ABSTAIN) {
                        other = true;
                        differs |= w != v;
                    }
                }
                overlap += other ? 1 : 0;
                conflict += differs ? 1 : 0;
                if (gold[i] != LabelModel.ABSTAIN) {
                    withGold++;
                    right += gold[i] == v ? 1 : 0;
                }
            }
            out.add(new FunctionStats(voted, share(voted, n), share(overlap, n), share(conflict, n), withGold,
                    withGold == 0 ? Double.NaN : (double) right / withGold));
        }
        return out;
    }

    private static double share(int k, int n) {
        return n == 0 ? 0 : (double) k / n;
    }
}
