package io.finetide.model.privacy;

import java.util.Arrays;

/**
 * The loss-threshold membership inference attack (Yeom et al. 2018): an example whose loss is lower than a threshold
 * is called a member. Over every threshold that is the ROC of the score -loss, and its area is the probability that a
 * random member has a lower loss than a random non-member (ties counting half): the Mann-Whitney statistic.
 */
public final class MembershipInference {

    private MembershipInference() {
    }

    public static double auc(double[] memberLosses, double[] nonMemberLosses) {
        double[] m = memberLosses.clone();
        double[] n = nonMemberLosses.clone();
        Arrays.sort(m);
        Arrays.sort(n);
        // For each member, the non-members with a higher loss (the attack ranks the member first), ties as half.
        double wins = 0;
        int below = 0;
        int notAbove = 0;
        for (double x : m) {
            while (below < n.length && n[below] < x) {
                below++;
            }
            while (notAbove < n.length && n[notAbove] <= x) {
                notAbove++;
            }
            wins += (n.length - notAbove) + 0.5 * (notAbove - below);
        }
        return wins / ((double) m.length * n.length);
    }
}
